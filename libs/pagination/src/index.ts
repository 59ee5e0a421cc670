export * from './pagination.types';
export * from './cursor.codec';
export * from './keyset';
export * from './dto/page-query.dto';
export * from './paginated.decorator';
export * from './pagination.service';
export * from './pagination.interceptor';
export * from './pagination.module';
