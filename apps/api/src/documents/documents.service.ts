/**
 * Evidence documents: a PDF kept in Postgres (`evidence_document`) with its SHA-256, under one owner's
 * step instance, served back only under that path. The evidence record that points at it is the step's
 * (a `done` event in the workflow): a page stores the document first, then completes the step with
 * evidence `{ kind: 'document', reference: filename, url: urlOf(downloadPath) }` (`filename` as stored,
 * sanitised), and removes the document when the completion is refused. The step's history then lists it:
 * the `done` event carries that evidence.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OWNER_COLLECTIONS } from '../../../../libs/contracts';
import type { OwnerKind } from '../../../../libs/contracts';
import type { RegieConfig } from '../../../../libs/config/config';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import { CODE_FORMATS } from '../edge/inputs';
import { RegieError } from '../errors/regie-error';
import { documentProblem, sanitiseFilename, sha256Hex } from './document-rules';

export { DOCUMENT_LIMITS } from './document-rules';

export interface StoreDocumentInput {
  ownerKind: OwnerKind;
  ownerCode: string;
  /** The step instance key (`volkshuisvestingsprogramma`, `prestatieafspraken:2027`). */
  step: string;
  /** As the browser sent it: sanitised before it is kept. */
  filename: string;
  content: Buffer;
  /** The signed-in actor's label (libs/access/policy.ts `actorLabel`). */
  uploadedBy: string;
}

export interface StoredDocumentRef {
  id: string;
  sha256: string;
  size: number;
  /** The name as kept and served (sanitised): what the evidence's `reference` should say. */
  filename: string;
  /** `/{municipalities|regions}/:code/steps/:step/documents/:id`, the download route. */
  downloadPath: string;
}

/** A document as the download route serves it. */
export interface StoredDocument {
  id: string;
  filename: string;
  size: number;
  sha256: string;
  content: Buffer;
}

/** Where a document is downloaded: under its owner's step, nowhere else. */
export const documentPath = (kind: OwnerKind, code: string, step: string, id: string) => `/${OWNER_COLLECTIONS[kind]}/${code}/steps/${step}/documents/${id}`;

const documentNotFound = () => new RegieError('document-not-found', 'not-found', 'Dit document bestaat niet bij deze stap / No such document for this step', 'id');

@Injectable()
export class DocumentsService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
  ) {}

  /**
   * Checks and keeps a document: one INSERT, so one transaction, with its checksum. Refuses an empty file
   * (`document-empty`), one over DOCUMENT_LIMITS.bytes (`document-too-large`, 413) and anything that is no
   * PDF by its content (`document-not-pdf`), each naming the field `document`.
   */
  async store(input: StoreDocumentInput): Promise<StoredDocumentRef> {
    const problem = documentProblem(input.content);
    if (problem) throw problem;
    const sha256 = sha256Hex(input.content);
    const filename = sanitiseFilename(input.filename);
    const [row]: { id: string }[] = await this.db.query(
      `INSERT INTO evidence_document (owner_kind, owner_code, step, filename, content_type, size, sha256, content, uploaded_by)
       VALUES ($1, $2, $3, $4, 'application/pdf', $5, $6, $7, $8) RETURNING id`,
      [input.ownerKind, input.ownerCode, input.step, filename, input.content.length, sha256, input.content, input.uploadedBy],
    );
    return { id: row.id, sha256, size: input.content.length, filename, downloadPath: documentPath(input.ownerKind, input.ownerCode, input.step, row.id) };
  }

  /** Deletes a document (a completion that was refused); an id that names nothing is nothing to do. */
  async remove(id: string): Promise<void> {
    if (!CODE_FORMATS.documentId.pattern.test(id)) return;
    await this.db.query(`DELETE FROM evidence_document WHERE id = $1`, [id]);
  }

  /** The absolute link to a download path, as evidence records it (`PUBLIC_BASE_URL` + path). */
  urlOf(downloadPath: string): string {
    return `${this.config.http.publicBaseUrl.replace(/\/+$/, '')}${downloadPath}`;
  }

  /** The document under this owner's step; another owner's or step's is `document-not-found`, as a missing one. */
  async find(kind: OwnerKind, code: string, step: string, id: string): Promise<StoredDocument> {
    const [row]: StoredDocument[] = await this.db.query(
      `SELECT id, filename, size, sha256, content FROM evidence_document WHERE id = $1 AND owner_kind = $2 AND owner_code = $3 AND step = $4`,
      [id, kind, code, step],
    );
    if (!row) throw documentNotFound();
    return row;
  }
}
