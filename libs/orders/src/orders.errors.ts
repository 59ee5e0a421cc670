import { domainErrorClass, ProblemCode } from '@app/common';

/** Every way a request about an order can break a rule, with the HTTP status it maps to. */
const ORDER_ERRORS = {
  [ProblemCode.NotFound]: 404,
  [ProblemCode.InvalidTransition]: 409,
  [ProblemCode.Conflict]: 409,
} as const satisfies Partial<Record<ProblemCode, number>>;

export type OrderErrorCode = keyof typeof ORDER_ERRORS;

export class OrderError extends domainErrorClass(ORDER_ERRORS) {
  static notFound(id: string): OrderError {
    return new OrderError(ProblemCode.NotFound, `Order ${id} was not found`);
  }
}
