import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';

/** Chaos testing for one order (only when the API runs with ALLOW_FAULT_INJECTION=true). */
export class FaultPlanDto {
  @ApiPropertyOptional({ enum: ['exercise'], description: '1/3 of calls fail, 1/3 hang for 300 s' })
  @IsOptional()
  @IsIn(['exercise'])
  preset?: 'exercise';

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  errorRate?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  hangRate?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 300000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(300_000)
  hangMs?: number;

  @ApiPropertyOptional({ minimum: 0, description: 'Makes the outcome of each call reproducible.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2 ** 32 - 1)
  seed?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 10, description: 'The sandbox carrier declines the first N shipping attempts.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  declineDispatchAttempts?: number;
}
