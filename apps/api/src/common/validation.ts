import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

export interface FieldError {
  field: string;
  reason: string;
}

/** Flattens class-validator errors into `{ field: "items.0.qty", reason: "..." }`. */
export function flattenErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((reason) => ({
      field,
      reason: reason.includes('should not exist') ? 'unknown field' : reason,
    }));
    return [...own, ...flattenErrors(error.children ?? [], field)];
  });
}

/** Whitelist, refuse unknown fields, transform to DTO classes; 400 names each bad field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new BadRequestException({ message: 'validation failed', errors: flattenErrors(errors) }),
  });
}
