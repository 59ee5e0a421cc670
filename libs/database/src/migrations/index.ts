import { CreateOrders1764160000000 } from './1764160000000-create-orders';

/** Every migration, in order; the app and the TypeORM CLI both read this list. */
export const MIGRATIONS = [CreateOrders1764160000000];
