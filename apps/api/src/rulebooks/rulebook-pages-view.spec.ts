import { daysMoved, previewClassOf } from './rulebook-pages-view';

describe("a municipality's class on the preview map", () => {
  const earlier = { from: '2032-07-01', to: '2026-07-01' };
  const later = { from: '2026-07-01', to: '2032-07-01' };

  it('is not onboarded, unchanged, earlier or later by its own moved steps; an earlier date wins', () => {
    expect(previewClassOf(false, [])).toBe('preview-not-onboarded');
    expect(previewClassOf(true, [])).toBe('preview-unchanged');
    expect(previewClassOf(true, [later])).toBe('preview-later');
    expect(previewClassOf(true, [earlier])).toBe('preview-earlier');
    expect(previewClassOf(true, [later, earlier])).toBe('preview-earlier');
    // A step that had no date gets one: a deadline appears.
    expect(previewClassOf(true, [{ from: null, to: '2030-01-01' }])).toBe('preview-earlier');
  });

  it('counts the days a date moves, negative when earlier', () => {
    expect(daysMoved(earlier)).toBe(-2192);
    expect(daysMoved(later)).toBe(2192);
    expect(daysMoved({ from: null, to: '2030-01-01' })).toBeNull();
  });
});
