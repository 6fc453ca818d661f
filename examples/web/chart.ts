// A small line chart on a <canvas>: axes with ticks, a linear or log10 y axis, several labelled
// series (solid or dashed) and a legend. Redrawn whole on every update; sharp on HiDPI screens.

export interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  points: Array<[number, number]>;
}

export interface ChartOptions {
  xLabel: string;
  yLabel: string;
  /** log10 y axis (values ≤ 0 are not drawn). */
  logY?: boolean;
  /** Fixed x range; default: the data's. */
  xRange?: [number, number];
  /** Lowest y on a log axis (a power of ten); default: the data's. */
  yMin?: number;
  /** Where the legend goes (where the lines are not). Default 'top-right'. */
  legend?: 'top-right' | 'bottom-left';
}

const FONT = '12px system-ui, sans-serif';
const AXIS = '#555';
const GRID = '#e6e6e6';
export const BACKGROUND = '#ffffff';

export class LineChart {
  series: Series[] = [];

  constructor(readonly canvas: HTMLCanvasElement, readonly options: ChartOptions) {
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  set(series: Series[]): void {
    this.series = series;
    this.draw();
  }

  draw(): void {
    const { canvas, options } = this;
    const dpr = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || 600, height = canvas.clientHeight || 260;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
    }
    const g = canvas.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.fillStyle = BACKGROUND;
    g.fillRect(0, 0, width, height);
    g.font = FONT;

    const pad = { left: 66, right: 14, top: 12, bottom: 40 };
    const w = width - pad.left - pad.right, h = height - pad.top - pad.bottom;
    const ty = (y: number) => (options.logY ? Math.log10(y) : y);
    const points = this.series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(ty(y)));

    // ranges
    let [x0, x1] = options.xRange ?? [Math.min(0, ...points.map((p) => p[0])), Math.max(1, ...points.map((p) => p[0]))];
    if (x1 <= x0) x1 = x0 + 1;
    let y0: number, y1: number;
    if (options.logY) {
      const logs = points.map((p) => Math.log10(p[1]));
      y1 = Math.ceil(Math.max(0, ...logs));
      y0 = Math.floor(Math.min(options.yMin === undefined ? y1 - 1 : Math.log10(options.yMin), ...logs));
    } else {
      y0 = 0;
      y1 = niceCeil(Math.max(1e-9, ...points.map((p) => p[1])));
    }
    if (y1 <= y0) y1 = y0 + 1;
    const px = (x: number) => pad.left + ((x - x0) / (x1 - x0)) * w;
    const py = (y: number) => pad.top + (1 - (ty(y) - y0) / (y1 - y0)) * h;

    // grid and ticks
    g.strokeStyle = GRID;
    g.fillStyle = AXIS;
    g.lineWidth = 1;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    const yTicks = options.logY ? logTicks(y0, y1) : linearTicks(y0, y1);
    for (const t of yTicks) {
      const y = pad.top + (1 - (t - y0) / (y1 - y0)) * h;
      line(g, pad.left, y, pad.left + w, y);
      g.fillText(options.logY ? `1e${t}` : format(t), pad.left - 6, y);
    }
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (const t of linearTicks(x0, x1)) {
      const x = px(t);
      line(g, x, pad.top, x, pad.top + h);
      g.fillText(format(t), x, pad.top + h + 5);
    }
    g.strokeStyle = AXIS;
    g.strokeRect(pad.left + 0.5, pad.top + 0.5, w, h);
    g.fillText(options.xLabel, pad.left + w / 2, pad.top + h + 22);
    g.save();
    g.translate(12, pad.top + h / 2);
    g.rotate(-Math.PI / 2);
    g.textBaseline = 'middle';
    g.fillText(options.yLabel, 0, 0);
    g.restore();

    // series
    g.save();
    g.beginPath();
    g.rect(pad.left, pad.top, w, h);
    g.clip();
    for (const s of this.series) {
      g.strokeStyle = s.color;
      g.lineWidth = s.dashed ? 1.5 : 2.25;
      g.setLineDash(s.dashed ? [5, 4] : []);
      g.beginPath();
      let pen = false;
      for (const [x, y] of s.points) {
        if (!Number.isFinite(ty(y))) { pen = false; continue; }
        if (pen) g.lineTo(px(x), py(y));
        else g.moveTo(px(x), py(y));
        pen = true;
      }
      g.stroke();
    }
    g.restore();

    // legend
    const shown = this.series.filter((s) => s.label);
    if (shown.length) {
      g.setLineDash([]);
      g.textAlign = 'left';
      g.textBaseline = 'middle';
      const lw = Math.max(...shown.map((s) => g.measureText(s.label).width)) + 44, lh = shown.length * 18 + 8;
      const [lx, ly] = options.legend === 'bottom-left' ? [pad.left + 8, pad.top + h - lh - 8] : [pad.left + w - lw - 8, pad.top + 8];
      g.fillStyle = 'rgba(255,255,255,0.9)';
      g.fillRect(lx, ly, lw, lh);
      shown.forEach((s, i) => {
        const y = ly + 13 + i * 18;
        g.strokeStyle = s.color;
        g.lineWidth = s.dashed ? 1.5 : 2.25;
        g.setLineDash(s.dashed ? [5, 4] : []);
        line(g, lx + 8, y, lx + 32, y);
        g.setLineDash([]);
        g.fillStyle = '#222';
        g.fillText(s.label, lx + 38, y);
      });
    }
  }
}

function line(g: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number): void {
  g.beginPath();
  g.moveTo(x0, y0);
  g.lineTo(x1, y1);
  g.stroke();
}

function niceStep(range: number, count: number): number {
  const raw = range / count, mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
}

function niceCeil(v: number): number {
  const s = niceStep(v, 5);
  return Math.ceil(v / s) * s;
}

function linearTicks(a: number, b: number): number[] {
  const step = niceStep(b - a, 6), out: number[] = [];
  for (let t = Math.ceil(a / step) * step; t <= b + 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

function logTicks(a: number, b: number): number[] {
  const step = Math.max(1, Math.ceil((b - a) / 8)), out: number[] = [];
  for (let t = b; t >= a; t -= step) out.push(t);
  return out;
}

function format(v: number): string {
  return Math.abs(v) >= 1000 ? thousands(v) : String(Number(v.toPrecision(4)));
}

/** 12345.6 → "12,346" (without Intl, whose first use can stall the page for tens of ms). */
export function thousands(v: number): string {
  return String(Math.round(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
