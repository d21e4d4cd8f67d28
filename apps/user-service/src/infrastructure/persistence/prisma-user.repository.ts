import { Result } from '@platform/shared-kernel';
import { currentTraceHeaders } from '@platform/telemetry';
import { type OutboxMessage, toOutboxMessages } from '../../application/events/integration-events';
import { Email } from '../../domain/user/email';
import { User } from '../../domain/user/user';
import { EmailAlreadyExistsError, UserNotFoundError } from '../../domain/user/user.errors';
import type { UserId } from '../../domain/user/user-id';
import { UserName } from '../../domain/user/user-name';
import type { ChangeContext, SaveUserError, UserListPage, UserListQuery, UserRepository } from '../../domain/user/user.repository';
import { Prisma, type PrismaClient, type User as UserRow } from './generated/client';

export const CORRELATION_ID_HEADER = 'x-correlation-id';

export interface PrismaUserRepositoryOptions {
  /** Called after every committed save that stored outbox rows (the relay's nudge). */
  afterCommit?: () => void;
}

/** Users in Postgres through Prisma; `save` is the unit of work (user row + outbox rows, one transaction). */
export class PrismaUserRepository implements UserRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: PrismaUserRepositoryOptions = {},
  ) {}

  async findById(id: UserId): Promise<User | null> {
    const row = await this.prisma.user.findUnique({ where: { id: id.value } });
    return row ? toUser(row) : null;
  }

  async findByEmail(email: Email): Promise<User | null> {
    const row = await this.prisma.user.findUnique({ where: { email: email.value } });
    return row ? toUser(row) : null;
  }

  async list({ offset, limit, isActive }: UserListQuery): Promise<UserListPage> {
    const where = isActive === undefined ? {} : { isActive };
    const [rows, total] = await this.prisma.$transaction([
      this.prisma.user.findMany({ where, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], skip: offset, take: limit }),
      this.prisma.user.count({ where }),
    ]);
    return { items: rows.map(toUser), total };
  }

  async save(user: User, { correlationId }: ChangeContext): Promise<Result<void, SaveUserError>> {
    const events = user.pullDomainEvents();
    if (events.length === 0) return Result.ok();
    const messages = toOutboxMessages(events, correlationId);
    const headers = messageHeaders(correlationId);

    try {
      await this.prisma.$transaction([
        this.writeUser(user, events[0].type === 'UserCreated'),
        this.prisma.outboxMessage.createMany({ data: messages.map((message) => toOutboxRow(message, headers)) }),
      ]);
    } catch (error) {
      const refused = refusal(error);
      if (refused) return Result.fail(refused);
      throw error;
    }
    this.options.afterCommit?.();
    return Result.ok();
  }

  /** The write for the user's state: insert a new user, delete a deleted one, update the others. */
  private writeUser(user: User, isNew: boolean) {
    if (user.isDeleted) return this.prisma.user.delete({ where: { id: user.id } });
    const data = {
      email: user.email.value,
      name: user.name.value,
      role: user.role,
      isActive: user.isActive,
      passwordHash: user.passwordHash,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    };
    return isNew ? this.prisma.user.create({ data: { id: user.id, ...data } }) : this.prisma.user.update({ where: { id: user.id }, data });
  }
}

/** The domain's answer for a write Postgres refused: the email is taken (P2002) or the row is gone (P2025). */
function refusal(error: unknown): SaveUserError | undefined {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  if (error.code === 'P2002' && error.meta?.['modelName'] === 'User') return new EmailAlreadyExistsError();
  if (error.code === 'P2025') return new UserNotFoundError();
  return undefined;
}

/**
 * AMQP headers stored with each outbox row: the correlation id, and the W3C trace context of the request
 * that made the change (only when a span is active; the relay publishes later, outside that request).
 */
export function messageHeaders(correlationId: string): Record<string, string> {
  return { [CORRELATION_ID_HEADER]: correlationId, ...currentTraceHeaders() };
}

export function toOutboxRow(message: OutboxMessage, headers: Record<string, string>): Prisma.OutboxMessageCreateManyInput {
  return {
    eventId: message.eventId,
    routingKey: message.routingKey,
    payload: message.event as unknown as Prisma.InputJsonValue,
    headers,
  };
}

function toUser(row: UserRow): User {
  return User.restore(row.id, {
    email: Email.restore(row.email),
    name: UserName.restore(row.name),
    role: row.role,
    isActive: row.isActive,
    passwordHash: row.passwordHash,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
}
