// Runs `modelmath serve ...` in a child process for test/web/cli.test.ts: the real program, plus the
// web command when the CLI registry (src/cli/commands.ts) does not list it yet.
import { buildProgram } from '../../src/cli/main.js';
import { register } from '../../src/web/cli.js';

const program = buildProgram();
if (!program.commands.some((c) => c.name() === 'serve')) register(program);
await program.parseAsync(process.argv.slice(2), { from: 'user' });
