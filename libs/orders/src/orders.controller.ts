import { ApiProblems, ApiStandardProblems, TenantId } from '@app/common';
import { ApiPageResponse, PageArgs, Paginated, type Page, type PageRequest } from '@app/pagination';
import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CreateOrderDto } from './dto/create-order.dto';
import { ListOrdersQueryDto } from './dto/list-orders-query.dto';
import { OrderDto } from './dto/order.dto';
import { UpdateOrderDto } from './dto/update-order.dto';
import { ORDER_PAGE_KEY, OrdersService } from './orders.service';

@ApiTags('orders')
@ApiBearerAuth()
@ApiStandardProblems()
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ operationId: 'createOrder', summary: 'Create an order' })
  @ApiCreatedResponse({
    type: OrderDto,
    headers: { Location: { description: 'URL of the new order', schema: { type: 'string' } } },
  })
  @ApiProblems(408, 409, 413, 415, 422)
  async create(
    @TenantId() tenantId: string,
    @Body() body: CreateOrderDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OrderDto> {
    const order = await this.orders.create(tenantId, body);
    res.location(`/orders/${order.id}`);
    return order;
  }

  @Get()
  @Paginated({ key: ORDER_PAGE_KEY, direction: 'desc', filters: ['status', 'customer_id'] })
  @ApiOperation({ operationId: 'listOrders', summary: 'List orders, newest first' })
  @ApiPageResponse(OrderDto, 'OrderPage')
  list(
    @TenantId() tenantId: string,
    @Query() query: ListOrdersQueryDto,
    @PageArgs() page: PageRequest,
  ): Promise<Page<OrderDto>> {
    return this.orders.list(tenantId, query, page);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getOrder', summary: 'Get an order' })
  @ApiOkResponse({ type: OrderDto })
  @ApiProblems(404)
  get(@TenantId() tenantId: string, @Param('id') id: string): Promise<OrderDto> {
    return this.orders.get(tenantId, id);
  }

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateOrder',
    summary: 'Change an order status',
    description:
      'Moves the order along its status machine. Setting the current status is a no-op success.',
  })
  @ApiOkResponse({ type: OrderDto })
  @ApiProblems(
    404,
    [409, 'Illegal status transition (`invalid_transition`) or key in use.'],
    408,
    413,
    415,
    422,
  )
  update(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Body() body: UpdateOrderDto,
  ): Promise<OrderDto> {
    return this.orders.updateStatus(tenantId, id, body.status);
  }
}
