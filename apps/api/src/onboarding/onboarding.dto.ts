import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, Matches } from 'class-validator';

export class CreateOnboardingDto {
  @ApiProperty({ example: 'GM0363', description: 'CBS municipality code' })
  @Matches(/^GM\d{4}$/, { message: 'municipalityCode must be a CBS municipality code such as GM0363' })
  municipalityCode!: string;

  @ApiProperty({ example: 'programma@amsterdam.example', description: 'Receives reminders for the steps' })
  @IsEmail({}, { message: 'programmeManagerEmail must be an email address' })
  programmeManagerEmail!: string;

  @ApiPropertyOptional({ example: 'wvrv-2025-07-01', description: 'Rulebook version; default DEFAULT_RULEBOOK_ID' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'rulebookId must be a rulebook version id' })
  rulebookId?: string;
}
