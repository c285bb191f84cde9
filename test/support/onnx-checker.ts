/**
 * The reference ONNX checker as an independent judge of our graphs: Debian's /usr/bin/python3 with
 * python3-onnx (onnx 1.12, opset <= 17), `onnx.checker.check_model(model, full_check=True)` (which
 * also runs shape inference). When that interpreter or module is absent, `available` is false and
 * the calling test skips only that assertion (and says so on stderr).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PYTHON = '/usr/bin/python3';

const SCRIPT = `
import sys, onnx
for path in sys.argv[1:]:
    onnx.checker.check_model(onnx.load(path), full_check=True)
print(onnx.__version__)
`;

export interface CheckResult {
  available: boolean;
  ok: boolean;
  /** onnx version on success, the checker's message on failure. */
  output: string;
}

let availability: boolean | undefined;

/** Whether /usr/bin/python3 can import onnx. */
export function onnxCheckerAvailable(): boolean {
  availability ??= existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;
  return availability;
}

/** Runs the reference checker on ONNX files. */
export function checkOnnxFiles(paths: string[]): CheckResult {
  if (!onnxCheckerAvailable()) {
    process.stderr.write('onnx checker skipped: /usr/bin/python3 has no onnx module (apt-get install python3-onnx)\n');
    return { available: false, ok: false, output: '' };
  }
  const r = spawnSync(PYTHON, ['-c', SCRIPT, ...paths], { encoding: 'utf8' });
  return { available: true, ok: r.status === 0, output: (r.status === 0 ? r.stdout : r.stderr).trim() };
}
