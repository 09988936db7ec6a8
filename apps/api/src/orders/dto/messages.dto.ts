import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class CancelOrderDto {
  @ApiPropertyOptional({ example: 'customer changed their mind', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class ApproveOrderDto {
  @ApiPropertyOptional({ example: 'reviewer-7', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  by?: string;
}
