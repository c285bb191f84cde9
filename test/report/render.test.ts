import { describe, expect, it, vi } from 'vitest';
import { escapeHtml, renderReport, renderTable } from '../../src/report/render.js';
import { vegaLiteToSvg } from '../../src/report/vega.js';

describe('report rendering', () => {
  it('renders a Vega-Lite line chart to SVG with one path point per datum', async () => {
    const svg = await vegaLiteToSvg({
      data: { values: [0, 1, 2, 3].map((x) => ({ x, y: x * x })) },
      mark: 'line',
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
    });
    expect(svg.startsWith('<svg')).toBe(true);
    const path = svg.match(/<path[^>]*aria-roledescription="line mark"[^>]*d="([^"]+)"/);
    expect(path).not.toBeNull();
    expect(path![1].split(/[ML]/).filter(Boolean)).toHaveLength(4);
  });

  it('evaluates expressions without compiling code (the lab page runs it under a Content-Security-Policy)', async () => {
    const compiled = vi.spyOn(globalThis, 'Function');
    try {
      const svg = await vegaLiteToSvg({
        data: { values: [1, 2, 3, 4].map((x) => ({ x })) },
        transform: [{ filter: 'datum.x > 2' }, { calculate: "'v' + (datum.x * 7)", as: 'label' }],
        mark: 'text',
        encoding: { text: { field: 'label' }, y: { field: 'x', type: 'ordinal' } },
      });
      // the filter kept 3 and 4, the calculation labelled them 21 and 28
      expect([...svg.matchAll(/>v(\d+)</g)].map((m) => m[1]).sort()).toEqual(['21', '28']);
      expect(compiled).not.toHaveBeenCalled();
    } finally {
      compiled.mockRestore();
    }
  });

  it('escapes text and formats numbers in tables', () => {
    expect(escapeHtml('<a href="x">&</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
    const html = renderTable({
      caption: 'c<1>',
      columns: ['a', 'b'],
      rows: [
        ['<x>', 1.234567],
        [null, 1e-7],
      ],
    });
    expect(html).toContain('<caption>c&lt;1&gt;</caption>');
    expect(html).toContain('&lt;x&gt;');
    expect(html).toContain('1.235');
    expect(html).toContain('1.000e-7');
    expect(html).not.toContain('<x>');
  });

  it('marks a failed section in the page instead of hiding it', async () => {
    const html = await renderReport(
      't',
      [
        { id: 'a', title: 'A', seconds: 0.1, result: { summary: 'one\n\ntwo' } },
        { id: 'b', title: 'B', seconds: 0.1, error: 'boom' },
      ],
      { generatedAt: 'now', seed: 0, quick: true },
    );
    expect(html).toContain('<p>one</p>');
    expect(html).toContain('<p>two</p>');
    expect(html).toContain('This section failed: boom');
  });
});
