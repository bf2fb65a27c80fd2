/**
 * The chart of mails per week, as SVG written by hand: bars per week, a line for a second run (another
 * rulebook version) when there is one, a scale of round numbers, the years along the bottom and the peak
 * named. Presentation attributes only (no style element, no script), so it shows as a file, in the README
 * and inside a page whose Content-Security-Policy forbids inline styles. Pure.
 */
import { dateParts, DUTCH_MONTHS, IsoDate } from '../calendar';
import type { Language } from '../contracts';

export interface WeeklySeries {
  label: string;
  weeks: { week: IsoDate; mails: number }[];
}

export interface ChartOptions {
  title: string;
  /** The bars. */
  series: WeeklySeries;
  /** A second run, drawn as a line over the bars (a new rulebook version against the one in force). */
  compare?: WeeklySeries;
  language?: Language;
  width?: number;
  height?: number;
}

const ENGLISH_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const COLOURS = { bars: '#1f5f8b', line: '#c0392b', grid: '#d9d9d9', text: '#1a1a1a', muted: '#555555' };

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (n: number) => Number(n.toFixed(1)).toString();
const grouped = (n: number, language: Language) => n.toLocaleString(language === 'nl' ? 'nl-NL' : 'en-GB');

function weekLabel(week: IsoDate, language: Language): string {
  const { year, month, day } = dateParts(week);
  return language === 'nl' ? `week van ${day} ${DUTCH_MONTHS[month - 1]} ${year}` : `week of ${day} ${ENGLISH_MONTHS[month - 1]} ${year}`;
}

/** A round step for about `count` gridlines up to `max`: 1, 2 or 5 times a power of ten. */
export function niceStep(max: number, count = 5): number {
  if (max <= 0) return 1;
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  return Math.max(1, step);
}

export function mailsPerWeekSvg(options: ChartOptions): string {
  const language = options.language ?? 'nl';
  const width = options.width ?? 960;
  const height = options.height ?? 360;
  const margin = { top: options.compare ? 72 : 56, right: 20, bottom: 56, left: 64 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const weeks = options.series.weeks;
  const other = new Map((options.compare?.weeks ?? []).map((w) => [w.week, w.mails]));
  const max = Math.max(1, ...weeks.map((w) => w.mails), ...other.values());
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const n = Math.max(1, weeks.length);
  const slot = plotW / n;
  const x = (i: number) => margin.left + i * slot;
  const y = (v: number) => margin.top + plotH - (v / top) * plotH;
  const words =
    language === 'nl'
      ? { axis: 'mails per week', peak: 'piek', total: 'totaal', mails: 'mails' }
      : { axis: 'mails per week', peak: 'peak', total: 'total', mails: 'mails' };

  const peakOf = (list: { week: IsoDate; mails: number }[]) =>
    list.reduce<{ week: IsoDate; mails: number; i: number } | null>((p, w, i) => (w.mails > (p?.mails ?? 0) ? { ...w, i } : p), null);
  const line = (series: WeeklySeries) => {
    const total = series.weeks.reduce((sum, w) => sum + w.mails, 0);
    const top = peakOf(series.weeks);
    return `${series.label}: ${words.total} ${grouped(total, language)} ${words.mails}` + (top ? `, ${words.peak} ${grouped(top.mails, language)} (${weekLabel(top.week, language)})` : '');
  };
  const peak = peakOf(weeks);
  const lines = [line(options.series), ...(options.compare ? [line(options.compare)] : [])];
  const description =
    lines.join('; ') + (weeks.length ? `; ${weekLabel(weeks[0].week, language)} – ${weekLabel(weeks[weeks.length - 1].week, language)}` : '');

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="regie-load-title regie-load-desc" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="12">`,
    `<title id="regie-load-title">${escapeXml(options.title)}</title>`,
    `<desc id="regie-load-desc">${escapeXml(description)}</desc>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin.left}" y="22" font-size="15" font-weight="600" fill="${COLOURS.text}">${escapeXml(options.title)}</text>`,
    ...lines.map((text, i) => `<text x="${margin.left}" y="${40 + i * 16}" fill="${COLOURS.muted}">${escapeXml(text)}</text>`),
  );
  // Gridlines and the scale.
  for (let v = 0; v <= top; v += step) {
    parts.push(
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${fmt(y(v))}" y2="${fmt(y(v))}" stroke="${COLOURS.grid}" stroke-width="1"/>`,
      `<text x="${margin.left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end" fill="${COLOURS.muted}">${grouped(v, language)}</text>`,
    );
  }
  parts.push(`<text transform="translate(14 ${fmt(margin.top + plotH / 2)}) rotate(-90)" text-anchor="middle" fill="${COLOURS.muted}">${words.axis}</text>`);
  // The bars, each with its week and count as a tooltip.
  const barW = Math.max(0.5, slot * 0.8);
  parts.push(`<g fill="${COLOURS.bars}">`);
  weeks.forEach((w, i) => {
    if (!w.mails) return;
    const h = y(0) - y(w.mails);
    parts.push(`<rect x="${fmt(x(i) + (slot - barW) / 2)}" y="${fmt(y(w.mails))}" width="${fmt(barW)}" height="${fmt(Math.max(h, 0.5))}"><title>${escapeXml(`${weekLabel(w.week, language)}: ${grouped(w.mails, language)}`)}</title></rect>`);
  });
  parts.push('</g>');
  // The other run as a stepped line over the bars.
  if (options.compare) {
    const points = weeks.flatMap((w, i) => {
      const v = other.get(w.week) ?? 0;
      return [`${fmt(x(i))},${fmt(y(v))}`, `${fmt(x(i) + slot)},${fmt(y(v))}`];
    });
    parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${COLOURS.line}" stroke-width="1.5"/>`);
  }
  // The years (a tick at each first week of January) and the quarters (small ticks).
  parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${fmt(y(0))}" y2="${fmt(y(0))}" stroke="${COLOURS.text}" stroke-width="1"/>`);
  weeks.forEach((w, i) => {
    const { year, month } = dateParts(w.week);
    if (i === 0 || month === dateParts(weeks[i - 1].week).month || ![1, 4, 7, 10].includes(month)) return;
    const major = month === 1;
    parts.push(`<line x1="${fmt(x(i))}" x2="${fmt(x(i))}" y1="${fmt(y(0))}" y2="${fmt(y(0) + (major ? 8 : 4))}" stroke="${COLOURS.text}" stroke-width="1"/>`);
    if (major) parts.push(`<text x="${fmt(x(i))}" y="${fmt(y(0) + 22)}" text-anchor="middle" fill="${COLOURS.text}">${year}</text>`);
  });
  // The peak, named above its bar.
  if (peak) {
    const px = x(peak.i) + slot / 2;
    const anchor = px > width - 200 ? 'end' : px < margin.left + 120 ? 'start' : 'middle';
    parts.push(`<text x="${fmt(px)}" y="${fmt(Math.max(margin.top - 4, y(peak.mails) - 6))}" text-anchor="${anchor}" fill="${COLOURS.text}">${escapeXml(`${words.peak}: ${grouped(peak.mails, language)}`)}</text>`);
  }
  // The legend.
  const legendY = height - 10;
  parts.push(
    `<rect x="${margin.left}" y="${legendY - 9}" width="12" height="10" fill="${COLOURS.bars}"/>`,
    `<text x="${margin.left + 18}" y="${legendY}" fill="${COLOURS.text}">${escapeXml(options.series.label)}</text>`,
  );
  if (options.compare) {
    const lx = margin.left + 30 + options.series.label.length * 6.5;
    parts.push(
      `<line x1="${fmt(lx)}" x2="${fmt(lx + 14)}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${COLOURS.line}" stroke-width="2"/>`,
      `<text x="${fmt(lx + 20)}" y="${legendY}" fill="${COLOURS.text}">${escapeXml(options.compare.label)}</text>`,
    );
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
