import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { LIMITS } from '@order-fulfillment/contracts';
import { NotBlank } from './not-blank';

export class AddressDto {
  @ApiProperty({ example: '456 New St', maxLength: LIMITS.maxAddressField })
  @IsString()
  @IsNotEmpty()
  @NotBlank()
  @MaxLength(LIMITS.maxAddressField)
  street!: string;

  @ApiProperty({ example: 'New City', maxLength: LIMITS.maxAddressField })
  @IsString()
  @IsNotEmpty()
  @NotBlank()
  @MaxLength(LIMITS.maxAddressField)
  city!: string;

  @ApiPropertyOptional({ example: '12345', maxLength: 20 })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  postalCode?: string;

  @ApiPropertyOptional({ example: 'US', maxLength: 56 })
  @IsOptional()
  @IsString()
  @MaxLength(56)
  country?: string;
}
