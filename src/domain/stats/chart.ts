// A Lark card JSON 2.0 chart element (VChart spec) for completion and on-time rates. Pure.
import { percent, type Summary } from './aggregate.js';

export interface RateDatum {
  name: string;
  type: '完成率' | '按时率';
  value: number;
}

/** Chart data: two bars per group (完成率, 按时率), in percent; groups with nothing counted are left out. */
export function rateValues(groups: ReadonlyArray<{ name: string; summary: Summary }>): RateDatum[] {
  const out: RateDatum[] = [];
  for (const { name, summary } of groups) {
    if (!summary.total) continue;
    out.push({ name, type: '完成率', value: percent(summary.completionRate) ?? 0 });
    out.push({ name, type: '按时率', value: percent(summary.onTimeRate) ?? 0 });
  }
  return out;
}

/** `{ tag: 'chart', chart_spec }`: a grouped bar chart, as Lark's card chart component documents it. */
export function rateChart(title: string, values: RateDatum[]): Record<string, unknown> {
  return {
    tag: 'chart',
    aspect_ratio: '16:9',
    chart_spec: {
      type: 'bar',
      title: { text: title },
      data: { values },
      xField: ['name', 'type'],
      yField: 'value',
      seriesField: 'type',
      axes: [{ orient: 'left', min: 0, max: 100, title: { visible: true, text: '百分比（%）' } }],
      legends: { visible: true, orient: 'bottom' },
      label: { visible: true },
    },
  };
}
