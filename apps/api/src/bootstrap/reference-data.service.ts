import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import type { RegieConfig } from '../../../../libs/config/config';
import { loadReferenceData } from '../../../../libs/db/reference-data';
import { storeRulebook } from '../../../../libs/db/rulebook-store';
import { readRulebookDir } from '../../../../libs/rulebook/rulebook-files';

/** On start: loads the municipalities, provinces and regions, and stores the shipped rulebook versions. Idempotent. */
@Injectable()
export class ReferenceDataService implements OnModuleInit {
  private readonly logger = new Logger('ReferenceData');

  constructor(
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    const data = await loadReferenceData(this.dataSource, this.config.referenceDataDir);
    this.logger.log(
      `Loaded ${data.municipalities.length} municipalities, ${data.provinces.length} provinces, ${data.regions.length} COROP regions from ${this.config.referenceDataDir}`,
    );
    for (const hashed of readRulebookDir(this.config.rulebookDir)) {
      const result = await storeRulebook(this.dataSource, hashed, 'file');
      this.logger.log(`Rulebook ${hashed.rulebook.id} (${hashed.hash.slice(0, 12)}): ${result}`);
    }
    const [known] = await this.dataSource.query(`SELECT 1 FROM rulebook_version WHERE id = $1`, [this.config.defaultRulebookId]);
    if (!known) throw new Error(`DEFAULT_RULEBOOK_ID ${this.config.defaultRulebookId} is not a stored rulebook version`);
  }
}
