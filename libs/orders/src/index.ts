export * from './order-status';
export * from './entities/order.entity';
export * from './dto/order.dto';
export * from './dto/create-order.dto';
export * from './dto/update-order.dto';
export * from './dto/list-orders-query.dto';
export * from './orders.service';
export * from './orders.module';
