/**
 * `modelmath lora inspect --adapter DIR`: what a PEFT LoRA/DoRA adapter folder holds (ours or one
 * written by PEFT): config, every module with its rank, shapes and scaling, and the parameter count.
 * Merging into the tiny LM is `modelmath lm merge`.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { action, parseOptions } from '../cli/context.js';
import { loadLoraAdapter } from './peft.js';

const schema = z.object({ adapter: z.string().min(1) });

export function register(program: Command): void {
  const lora = program.command('lora').description('LoRA / DoRA adapters in the Hugging Face PEFT format');
  lora
    .command('inspect')
    .description('list the modules, ranks, shapes and scalings of a PEFT adapter folder')
    .requiredOption('--adapter <dir>', 'adapter folder (adapter_config.json + adapter_model.safetensors)')
    .action(
      action((raw, ctx) => {
        const o = parseOptions(schema, raw);
        const a = loadLoraAdapter(o.adapter);
        const modules = [...a.modules].map(([name, m]) => ({
          name,
          r: m.dims.r,
          inDim: m.dims.inDim,
          outDim: m.dims.outDim,
          scaling: m.scaling,
          dora: Boolean(m.factors.magnitude),
        }));
        const parameters = [...a.modules.values()].reduce(
          (n, m) => n + m.factors.a.length + m.factors.b.length + (m.factors.magnitude?.length ?? 0),
          0,
        );
        for (const m of modules) {
          ctx.log(
            `${m.name}: r ${m.r}, [out ${m.outDim}, in ${m.inDim}], scaling ${m.scaling}${m.dora ? ', DoRA' : ''}`,
          );
        }
        ctx.log(`${modules.length} modules, ${parameters} adapter parameters`);
        return { adapter: o.adapter, config: a.config, baseModel: a.baseModel, modules, parameters };
      }),
    );
}
