// A line chart (uPlot) that follows its container's width; uPlot marks the points themselves while
// they are few (a job's first steps, a handful of epochs). The number of x values drawn is kept in
// the element's data-points attribute, so tests and people can see the curve grow.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface SeriesSpec {
  label: string;
  color: string;
  /** The y scale this series is drawn on (each scale gets an axis). */
  scale: string;
  format: (value: number) => string;
}

export interface AxisSpec {
  scale: string;
  label: string;
  side: "left" | "right";
  /** A fixed range, e.g. [0, 1] for accuracy; otherwise fitted to the data. */
  range?: [number, number];
}

export interface ChartSpec {
  xLabel: string;
  series: SeriesSpec[];
  axes: AxisSpec[];
  height?: number;
}

export class LineChart {
  readonly element: HTMLDivElement;
  private readonly plot: uPlot;
  private readonly resizer: ResizeObserver;

  constructor(spec: ChartSpec) {
    this.element = document.createElement("div");
    this.element.className = "chart";
    this.element.dataset.points = "0";
    const scales: uPlot.Scales = { x: { time: false } };
    for (const axis of spec.axes) scales[axis.scale] = axis.range ? { range: axis.range } : { auto: true };
    const options: uPlot.Options = {
      width: 600,
      height: spec.height ?? 260,
      scales,
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      series: [
        { label: spec.xLabel, value: (_u, v) => (v === null ? "–" : String(v)) },
        ...spec.series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, scale: s.scale, spanGaps: true, value: (_u: uPlot, v: number | null) => (v === null ? "–" : s.format(v)) })),
      ],
      axes: [
        { label: spec.xLabel, stroke: "#555", grid: { stroke: "#eee" } },
        ...spec.axes.map((a) => ({ scale: a.scale, label: a.label, side: a.side === "left" ? 3 : 1, stroke: "#555", grid: { show: a.side === "left", stroke: "#eee" } })),
      ],
    };
    this.plot = new uPlot(options, [[], ...spec.series.map(() => [])], this.element);
    this.resizer = new ResizeObserver(() => {
      const width = this.element.clientWidth;
      if (width > 0 && width !== this.plot.width) this.plot.setSize({ width, height: this.plot.height });
    });
    this.resizer.observe(this.element);
  }

  setData(x: number[], ys: (number | null)[][]): void {
    this.plot.setData([x, ...ys] as uPlot.AlignedData);
    this.element.dataset.points = String(x.length);
  }

  destroy(): void {
    this.resizer.disconnect();
    this.plot.destroy();
  }
}
