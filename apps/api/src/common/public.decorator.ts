import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'api:public';

/** Marks a route open to everyone, also when API_KEY is set (health, metrics). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
