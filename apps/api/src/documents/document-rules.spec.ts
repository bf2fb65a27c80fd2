import { TEXT_LIMITS } from '../../../../libs/programme/limits';
import { attachmentDisposition, DOCUMENT_FILENAME_LIMIT, DOCUMENT_LIMITS, documentProblem, isPdf, sanitiseFilename, sha256Hex } from './document-rules';
import { minimalPdf } from '../../../../test/support/pdf';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

describe('a document is a PDF by its content', () => {
  it('accepts a real minimal PDF', () => {
    const pdf = minimalPdf('Raadsbesluit');
    expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    expect(isPdf(pdf)).toBe(true);
    expect(documentProblem(pdf)).toBeNull();
  });

  it('accepts junk before the header within the first 1024 bytes, and bytes after %%EOF near the end', () => {
    expect(isPdf(Buffer.concat([Buffer.alloc(100, 0x20), minimalPdf()]))).toBe(true);
    expect(isPdf(Buffer.concat([minimalPdf(), Buffer.from('\r\n\0\0')]))).toBe(true);
  });

  it('refuses a PNG, whatever it is called', () => {
    expect(isPdf(PNG)).toBe(false);
    expect(documentProblem(PNG)).toMatchObject({ code: 'document-not-pdf', category: 'invalid-input', field: 'document' });
  });

  it('refuses an HTML file with %PDF- in it, early or late, even when it ends in %%EOF', () => {
    const early = Buffer.from('<!doctype html><html><body>%PDF-1.4 <script>alert(1)</script></body></html>\n%%EOF\n');
    const late = Buffer.from(`<!doctype html><html><body>${'x'.repeat(2000)}%PDF-1.4</body></html>\n%%EOF\n`);
    for (const html of [early, late]) expect(documentProblem(html)).toMatchObject({ code: 'document-not-pdf', field: 'document' });
  });

  it('refuses a header past the first 1024 bytes, a header without a version, and a file without %%EOF near its end', () => {
    expect(isPdf(Buffer.concat([Buffer.alloc(1100, 0x20), minimalPdf()]))).toBe(false);
    expect(isPdf(Buffer.from('%PDF-x.y\n%%EOF\n'))).toBe(false);
    const pdf = minimalPdf();
    expect(isPdf(pdf.subarray(0, pdf.lastIndexOf('%%EOF')))).toBe(false);
    expect(isPdf(Buffer.concat([pdf, Buffer.alloc(2000, 0x20)]))).toBe(false);
  });

  it('refuses an empty file and one over DOCUMENT_LIMITS.bytes (413), before looking inside', () => {
    expect(documentProblem(Buffer.alloc(0))).toMatchObject({ code: 'document-empty', category: 'invalid-input', field: 'document' });
    const big = Buffer.concat([minimalPdf(), Buffer.alloc(DOCUMENT_LIMITS.bytes)]);
    expect(documentProblem(big)).toMatchObject({ code: 'document-too-large', category: 'too-large', field: 'document' });
    expect(documentProblem(big)!.userMessage).toMatch(/^Het document is te groot: ten hoogste 20 MB \/ The document is too large/);
  });

  it('keeps the SHA-256 as lower-case hex', () => {
    expect(sha256Hex(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('the file name a document is kept under', () => {
  it('keeps an ordinary name', () => {
    expect(sanitiseFilename('Raadsbesluit 2027-88.pdf')).toBe('Raadsbesluit 2027-88.pdf');
    expect(sanitiseFilename('Woonvisie één.PDF')).toBe('Woonvisie één.PDF');
  });

  it('strips any path, Unix or Windows', () => {
    expect(sanitiseFilename('../../etc/passwd.pdf')).toBe('passwd.pdf');
    expect(sanitiseFilename('C:\\Users\\pim\\besluit.pdf')).toBe('besluit.pdf');
  });

  it('strips control and bidi characters, reserved characters become _, and white space collapses', () => {
    expect(sanitiseFilename('be\u0000slu\u001bit\r\n.pdf')).toBe('besluit.pdf');
    expect(sanitiseFilename('factuur\u202Efdp.exe')).toBe('factuurfdp.exe.pdf');
    expect(sanitiseFilename('a"b<c>d|e?f*g:h.pdf')).toBe('a_b_c_d_e_f_g_h.pdf');
    expect(sanitiseFilename('  veel    ruimte\t.pdf ')).toBe('veel ruimte.pdf');
  });

  it('ends in .pdf, has no leading dot, and is never empty', () => {
    expect(sanitiseFilename('besluit')).toBe('besluit.pdf');
    expect(sanitiseFilename('.verborgen.pdf')).toBe('verborgen.pdf');
    expect(sanitiseFilename('')).toBe('document.pdf');
    expect(sanitiseFilename('/\u0000/..')).toBe('document.pdf');
    expect(sanitiseFilename('.pdf')).toBe('document.pdf');
  });

  it('is bounded, keeping the extension and whole characters', () => {
    expect(DOCUMENT_FILENAME_LIMIT).toBeLessThanOrEqual(TEXT_LIMITS.reference);
    const long = sanitiseFilename(`${'é'.repeat(300)}.pdf`);
    expect([...long]).toHaveLength(DOCUMENT_FILENAME_LIMIT);
    expect(long.endsWith('é.pdf')).toBe(true);
    const emoji = sanitiseFilename(`${'😀'.repeat(300)}.pdf`);
    expect(emoji).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect([...emoji]).toHaveLength(DOCUMENT_FILENAME_LIMIT);
  });

  it('goes into Content-Disposition as an ASCII fallback and the exact UTF-8 name', () => {
    expect(attachmentDisposition('Woonvisie één (def).pdf')).toBe(`attachment; filename="Woonvisie __n (def).pdf"; filename*=UTF-8''Woonvisie%20%C3%A9%C3%A9n%20%28def%29.pdf`);
    expect(attachmentDisposition(`it's 100%.pdf`)).toBe(`attachment; filename="it's 100_.pdf"; filename*=UTF-8''it%27s%20100%25.pdf`);
  });
});
