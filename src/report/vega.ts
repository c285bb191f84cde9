/**
 * Vega-Lite spec -> SVG text, headless (no canvas, no browser). Expressions are evaluated by Vega's
 * interpreter rather than compiled with `new Function`, so the same code runs in Node and under the
 * lab's Content-Security-Policy.
 */
import { parse, View } from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Renders a Vega-Lite spec to an SVG string (fonts, sizes and background from the spec; Vega-Lite's white by default). */
export async function vegaLiteToSvg(spec: Record<string, unknown>): Promise<string> {
  const vega = compile(spec as unknown as TopLevelSpec).spec;
  const view = new View(parse(vega, undefined, { ast: true }), { renderer: 'none', expr: expressionInterpreter });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
