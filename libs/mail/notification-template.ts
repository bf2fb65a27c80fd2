import type { DateDerivation, IsoDate } from '../calendar';
import { formatDutchDate } from '../calendar';
import type { NotificationKind } from '../contracts';

export interface NotificationMailContext {
  ownerName: string;
  ownerCode: string;
  ownerKind: 'municipality' | 'region';
  stepNameNl: string;
  legalBasis: { citation: string; verified: boolean };
  kind: NotificationKind;
  offsetDays: number;
  rung?: number;
  dateKind: 'statutory' | 'target';
  due: DateDerivation;
  previousDue: DateDerivation | null;
  overdueSince: IsoDate | null;
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

/** Dutch reminder, overdue notice, change notice or cancellation for one step; text and HTML carry the same content. */
export function renderNotificationMail(ctx: NotificationMailContext): RenderedMail {
  const date = formatDutchDate(ctx.due.date);
  const statutory = ctx.dateKind === 'statutory';
  const termLabel = statutory ? 'wettelijke termijn' : 'geplande datum (streefdatum)';
  const who = `${ctx.ownerKind === 'region' ? 'regio ' : ''}${ctx.ownerName} (${ctx.ownerCode})`;
  const step = ctx.stepNameNl.toLowerCase();
  const subjects: Record<NotificationKind, string> = {
    reminder: `Herinnering: ${ctx.stepNameNl} ${ctx.ownerName} – ${statutory ? 'uiterlijk' : 'gepland'} ${date}`,
    escalation: `Termijn verstreken: ${ctx.stepNameNl} ${ctx.ownerName} – ${date} (escalatie, trede ${ctx.rung})`,
    'change-notice': `Nieuwe datum: ${ctx.stepNameNl} ${ctx.ownerName} – ${statutory ? 'uiterlijk' : 'gepland'} ${date}`,
    cancellation: `Vervallen: ${ctx.stepNameNl} ${ctx.ownerName} – ${date}`,
  };
  const openings: Record<NotificationKind, string> = {
    reminder: `Over ${ctx.offsetDays} dagen verloopt de ${termLabel} voor het ${step} van ${who}.`,
    escalation:
      `De ${termLabel} voor het ${step} van ${who} is verstreken` +
      (ctx.overdueSince ? ` (te laat sinds ${formatDutchDate(ctx.overdueSince)})` : '') +
      ` en de stap is nog niet afgerond. Dit is trede ${ctx.rung} van de escalatieladder.`,
    'change-notice':
      `De ${termLabel} voor het ${step} van ${who} is gewijzigd` +
      (ctx.previousDue ? `: was ${formatDutchDate(ctx.previousDue.date)}, nu ${date}.` : `: nu ${date}.`),
    cancellation: `De stap ${step} van ${who} is vervallen (ontheffing); er volgen geen herinneringen meer.`,
  };
  const paragraphs: { label?: string; lines: string[] }[] = [
    { lines: [openings[ctx.kind]] },
    { label: 'Stap', lines: [ctx.stepNameNl] },
    { label: ctx.ownerKind === 'region' ? 'Regio' : 'Gemeente', lines: [who] },
    { label: 'Wettelijke grondslag', lines: [`${ctx.legalBasis.citation}${ctx.legalBasis.verified ? '' : ' (grondslag nog niet geverifieerd)'}`] },
    { label: statutory ? 'Uiterste datum (wettelijke termijn)' : 'Geplande datum (streefdatum, geen wettelijke termijn)', lines: [date] },
    { label: 'Hoe deze datum is bepaald', lines: [ctx.due.text] },
  ];
  if (ctx.kind !== 'cancellation') {
    paragraphs.push(
      { label: 'Nog af te vinken', lines: ctx.checklist.length ? ctx.checklist.map((c) => `- ${c}`) : ['Niets: alle onderdelen zijn afgevinkt.'] },
      { label: 'Wat nu', lines: [`Leg de voortgang en het bewijs (raadsbesluit of publicatie) vast bij de stap: ${ctx.stepUrl}`] },
    );
  }
  const text =
    paragraphs.map((p) => (p.label ? `${p.label}:\n${p.lines.join('\n')}` : p.lines.join('\n'))).join('\n\n') +
    `\n\n--\nRegie, regelboek ${ctx.rulebookId}\n`;
  const html =
    `<!doctype html><html lang="nl"><body>` +
    paragraphs
      .map((p) =>
        p.label ? `<h3>${escapeHtml(p.label)}</h3><p>${p.lines.map(escapeHtml).join('<br>')}</p>` : `<p>${p.lines.map(escapeHtml).join('<br>')}</p>`,
      )
      .join('') +
    `<p><a href="${escapeHtml(ctx.stepUrl)}">Naar de stap</a></p><hr><p>Regie, regelboek ${escapeHtml(ctx.rulebookId)}</p></body></html>`;
  return { subject: subjects[ctx.kind], text, html };
}
