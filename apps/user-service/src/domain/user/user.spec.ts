import { Result } from '@platform/shared-kernel';
import { Email } from './email';
import { User } from './user';
import { UserName } from './user-name';

const email = (raw: string) => Result.unwrap(Email.create(raw));
const name = (raw: string) => Result.unwrap(UserName.create(raw));
const t0 = new Date('2026-01-01T00:00:00.000Z');
const t1 = new Date('2026-01-02T00:00:00.000Z');

function registered(): User {
  return User.register({ email: email('ada@example.com'), name: name('Ada'), passwordHash: 'hash', now: t0 });
}

describe('User', () => {
  it('register makes an active user with the user role and records UserCreated once', () => {
    const user = registered();
    expect(user).toMatchObject({ role: 'user', isActive: true, createdAt: t0, updatedAt: t0, isDeleted: false });
    const events = user.pullDomainEvents();
    expect(events).toEqual([
      {
        type: 'UserCreated',
        eventId: expect.any(String),
        aggregateId: user.id,
        occurredAt: t0,
        email: 'ada@example.com',
        name: 'Ada',
        role: 'user',
      },
    ]);
    expect(user.pullDomainEvents()).toEqual([]);
  });

  it('update records what changed, with the previous email only when the email changed', () => {
    const user = registered();
    user.pullDomainEvents();

    expect(user.update({ name: name('Ada King') }, t1)).toBe(true);
    expect(user.update({ email: email('ada@new.example.com'), name: name('Ada King') }, t1)).toBe(true);
    const [renamed, moved] = user.pullDomainEvents();
    expect(renamed).toMatchObject({ type: 'UserUpdated', changedFields: ['name'], name: 'Ada King', email: 'ada@example.com' });
    expect(renamed).not.toHaveProperty('previousEmail');
    expect(moved).toMatchObject({
      type: 'UserUpdated',
      changedFields: ['email'],
      email: 'ada@new.example.com',
      previousEmail: 'ada@example.com',
    });
    expect(user.updatedAt).toEqual(t1);
  });

  it('an update that changes nothing records nothing', () => {
    const user = registered();
    user.pullDomainEvents();
    expect(user.update({ name: name('Ada'), email: email('ADA@example.com') })).toBe(false);
    expect(user.hasPendingEvents).toBe(false);
    expect(user.updatedAt).toEqual(t0);
  });

  it('deactivate and activate record an event only when the state changes', () => {
    const user = registered();
    user.pullDomainEvents();
    expect(user.activate()).toBe(false);
    expect(user.deactivate(t1)).toBe(true);
    expect(user.deactivate()).toBe(false);
    expect(user.isActive).toBe(false);
    expect(user.activate()).toBe(true);
    expect(user.pullDomainEvents().map((e) => e.type)).toEqual(['UserDeactivated', 'UserActivated']);
  });

  it('delete marks the user deleted and records UserDeleted once', () => {
    const user = registered();
    user.pullDomainEvents();
    user.delete(t1);
    user.delete(t1);
    expect(user.isDeleted).toBe(true);
    expect(user.pullDomainEvents()).toEqual([expect.objectContaining({ type: 'UserDeleted', email: 'ada@example.com', occurredAt: t1 })]);
  });

  it('no event carries the password hash', () => {
    const user = User.register({ email: email('ada@example.com'), name: name('Ada'), passwordHash: '$2b$04$secret-hash' });
    user.deactivate();
    user.delete();
    expect(JSON.stringify(user.pullDomainEvents())).not.toContain('secret-hash');
  });

  it('restore brings a stored user back without events', () => {
    const user = User.restore('0b6c6a52-9f1e-4f43-9d0b-4b7f5e6a1c2d', {
      email: email('ada@example.com'),
      name: name('Ada'),
      role: 'admin',
      isActive: false,
      passwordHash: 'hash',
      createdAt: t0,
      updatedAt: t1,
    });
    expect(user).toMatchObject({ id: '0b6c6a52-9f1e-4f43-9d0b-4b7f5e6a1c2d', role: 'admin', isActive: false, hasPendingEvents: false });
  });
});
