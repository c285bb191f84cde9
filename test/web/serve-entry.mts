// Runs `modelmath serve ...` in a child process for test/web/cli.test.ts: the real program, plus the
// web command when the CLI registry (src/cli/commands.ts) does not list it yet.
import { buildProgram } from '../../src/cli/main.js';
import { register } from '../../src/web/cli.js';

const program = buildProgram();
if (!program.commands.some((c) => c.name() === 'serve')) register(program);
try {
  await program.parseAsync(process.argv.slice(2), { from: 'user' });
} catch (err) {
  if ((err as { exitCode?: number }).exitCode !== 0) throw err; // --help ends with exit code 0
}
