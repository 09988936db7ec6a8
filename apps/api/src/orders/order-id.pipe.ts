import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { ID_PATTERN } from '@order-fulfillment/contracts';
import { ID_RULE } from './dto/create-order.dto';

/** Rejects malformed order ids in the path before they reach Temporal or the database. */
@Injectable()
export class OrderIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!ID_PATTERN.test(value)) {
      throw new BadRequestException({ message: 'validation failed', errors: [{ field: 'id', reason: `id ${ID_RULE}` }] });
    }
    return value;
  }
}
