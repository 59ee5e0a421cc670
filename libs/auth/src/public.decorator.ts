import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'auth:isPublic';

/** Exempts a route or controller from API-key authentication (health, docs). */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);
