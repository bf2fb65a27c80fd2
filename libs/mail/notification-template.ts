import type { DateDerivation } from '../calendar';
import { formatDutchDate } from '../calendar';

export interface NotificationMailContext {
  municipalityName: string;
  municipalityCode: string;
  stepNameNl: string;
  legalBasis: { citation: string; verified: boolean };
  kind: 'reminder' | 'escalation';
  offsetDays: number;
  rung?: number;
  dateKind: 'statutory' | 'target';
  due: DateDerivation;
  checklist: string[];
  stepUrl: string;
  rulebookId: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Dutch reminder or overdue notice for one step; plain text and HTML carry the same content. */
export function renderNotificationMail(ctx: NotificationMailContext): RenderedMail {
  const date = formatDutchDate(ctx.due.date);
  const termLabel = ctx.dateKind === 'statutory' ? 'wettelijke termijn' : 'gepland (streefdatum)';
  const who = `${ctx.municipalityName} (${ctx.municipalityCode})`;
  const subject =
    ctx.kind === 'reminder'
      ? `Herinnering: ${ctx.stepNameNl} ${ctx.municipalityName} – uiterlijk ${date}`
      : `Termijn verstreken: ${ctx.stepNameNl} ${ctx.municipalityName} – ${date} (escalatie, trede ${ctx.rung})`;
  const opening =
    ctx.kind === 'reminder'
      ? `Over ${ctx.offsetDays} dagen verloopt de ${termLabel} voor het ${ctx.stepNameNl.toLowerCase()} van ${who}.`
      : `De ${termLabel} voor het ${ctx.stepNameNl.toLowerCase()} van ${who} is verstreken en de stap is nog niet afgerond. Dit is trede ${ctx.rung} van de escalatieladder.`;
  const paragraphs: { label?: string; lines: string[] }[] = [
    { lines: [opening] },
    { label: 'Stap', lines: [ctx.stepNameNl] },
    { label: 'Gemeente', lines: [who] },
    {
      label: 'Wettelijke grondslag',
      lines: [`${ctx.legalBasis.citation}${ctx.legalBasis.verified ? '' : ' (grondslag nog niet geverifieerd)'}`],
    },
    { label: ctx.dateKind === 'statutory' ? 'Uiterste datum (wettelijke termijn)' : 'Geplande datum (streefdatum)', lines: [date] },
    { label: 'Hoe deze datum is bepaald', lines: [ctx.due.text] },
    { label: 'Nog af te vinken', lines: ctx.checklist.length ? ctx.checklist.map((c) => `- ${c}`) : ['Niets: alle onderdelen zijn afgevinkt.'] },
    { label: 'Wat nu', lines: [`Leg de voortgang en het bewijs (raadsbesluit of publicatie) vast bij de stap: ${ctx.stepUrl}`] },
  ];
  const text =
    paragraphs.map((p) => (p.label ? `${p.label}:\n${p.lines.join('\n')}` : p.lines.join('\n'))).join('\n\n') +
    `\n\n--\nRegie, regelboek ${ctx.rulebookId}\n`;
  const html =
    `<!doctype html><html lang="nl"><body>` +
    paragraphs
      .map((p) =>
        p.label
          ? `<h3>${escapeHtml(p.label)}</h3><p>${p.lines.map(escapeHtml).join('<br>')}</p>`
          : `<p>${p.lines.map(escapeHtml).join('<br>')}</p>`,
      )
      .join('') +
    `<p><a href="${escapeHtml(ctx.stepUrl)}">Naar de stap</a></p><hr><p>Regie, regelboek ${escapeHtml(ctx.rulebookId)}</p></body></html>`;
  return { subject, text, html };
}
