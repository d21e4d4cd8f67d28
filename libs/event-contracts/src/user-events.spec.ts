import {
  USER_EVENT_ROUTING_KEYS,
  USER_EVENTS_EXCHANGE,
  UserEventRoutingKeys,
  parseUserEvent,
  parseUserEventMessage,
  routingKeyOfEvent,
  userEventFixtures,
  userEventJsonSchemas,
  userEventSchemas,
} from './index';

const fixtures = Object.entries(userEventFixtures);
const secretFields = ['password', 'passwordHash', 'hash', 'token'];

describe('user event contracts v1', () => {
  it('names the exchange and one routing key per event type', () => {
    expect(USER_EVENTS_EXCHANGE).toBe('user.events');
    expect(USER_EVENT_ROUTING_KEYS.sort()).toEqual(
      ['user.activated.v1', 'user.created.v1', 'user.deactivated.v1', 'user.deleted.v1', 'user.updated.v1'].sort(),
    );
    expect(Object.values(UserEventRoutingKeys).sort()).toEqual(USER_EVENT_ROUTING_KEYS.sort());
  });

  it.each(fixtures)('the %s fixture is valid and routes by type and version', (_, event) => {
    const parsed = parseUserEvent(event);
    expect(parsed).toEqual({ ok: true, value: event });
    expect(userEventSchemas[routingKeyOfEvent(event)].safeParse(event).success).toBe(true);
  });

  describe.each(fixtures)('%s payload', (_, event) => {
    it.each(secretFields)('rejects an extra "%s" field', (field) => {
      const withSecret = { ...event, payload: { ...event.payload, [field]: 'S3cret-value!' } };
      const parsed = parseUserEvent(withSecret);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) {
        expect(parsed.error.code).toBe('CONTRACT_VIOLATION');
        expect(parsed.error.message).not.toContain('S3cret-value!');
      }
    });

    it.each(Object.keys(event.payload))('rejects a payload missing "%s"', (field) => {
      const payload: Record<string, unknown> = { ...event.payload };
      delete payload[field];
      expect(parseUserEvent({ ...event, payload }).ok).toBe(false);
    });

    it('rejects an extra envelope field and a missing envelope field', () => {
      expect(parseUserEvent({ ...event, password: 'x' }).ok).toBe(false);
      const { eventId: _eventId, ...withoutId } = event;
      expect(parseUserEvent(withoutId).ok).toBe(false);
    });
  });

  it('rejects malformed envelope values', () => {
    const event = userEventFixtures.created;
    for (const broken of [
      { ...event, eventId: 'not-a-uuid' },
      { ...event, aggregateId: '123' },
      { ...event, occurredAt: 'yesterday' },
      { ...event, correlationId: '' },
      { ...event, correlationId: 'has spaces' },
      { ...event, payload: { ...event.payload, email: 'not-an-email' } },
      { ...event, payload: { ...event.payload, role: 'root' } },
    ]) {
      expect(parseUserEvent(broken)).toMatchObject({ ok: false, error: { code: 'CONTRACT_VIOLATION' } });
    }
  });

  it('user.updated requires previousEmail exactly when the email changed', () => {
    const { updatedEmail, updatedName } = userEventFixtures;
    const { previousEmail: _p, ...withoutPrevious } = updatedEmail.payload;
    expect(parseUserEvent({ ...updatedEmail, payload: withoutPrevious }).ok).toBe(false);
    expect(parseUserEvent({ ...updatedName, payload: { ...updatedName.payload, previousEmail: 'a@b.co' } }).ok).toBe(false);
    expect(parseUserEvent({ ...updatedName, payload: { ...updatedName.payload, changedFields: [] } }).ok).toBe(false);
  });

  it('tells an unknown event type or version apart from a broken one', () => {
    expect(parseUserEvent({ ...userEventFixtures.created, version: 2 })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_EVENT_TYPE', type: 'user.created', version: 2 },
    });
    expect(parseUserEvent({ type: 'user.promoted', version: 1 })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_EVENT_TYPE' },
    });
    expect(parseUserEvent({ type: 'constructor', version: Number.NaN })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_EVENT_TYPE' },
    });
    for (const notAnEvent of [null, 42, 'text', [], { version: 1 }]) {
      expect(parseUserEvent(notAnEvent)).toMatchObject({ ok: false, error: { code: 'CONTRACT_VIOLATION' } });
    }
  });

  it('parses message bodies and reports non-JSON as NOT_JSON', () => {
    const body = Buffer.from(JSON.stringify(userEventFixtures.deleted));
    expect(parseUserEventMessage(body)).toEqual({ ok: true, value: userEventFixtures.deleted });
    expect(parseUserEventMessage('{not json')).toMatchObject({ ok: false, error: { code: 'NOT_JSON' } });
    expect(parseUserEventMessage(Buffer.from([0xff, 0xfe]))).toMatchObject({ ok: false, error: { code: 'NOT_JSON' } });
  });

  it('exports a JSON Schema per routing key that forbids extra payload fields', () => {
    const schemas = userEventJsonSchemas();
    expect(Object.keys(schemas).sort()).toEqual([...USER_EVENT_ROUTING_KEYS].sort());
    const created = schemas['user.created.v1'] as {
      required: string[];
      additionalProperties: boolean;
      properties: { payload: { additionalProperties: boolean; required: string[]; properties: object } };
    };
    expect(created.additionalProperties).toBe(false);
    expect(created.required).toEqual(expect.arrayContaining(['eventId', 'type', 'version', 'payload']));
    expect(created.properties.payload.additionalProperties).toBe(false);
    expect(Object.keys(created.properties.payload.properties).sort()).toEqual(['email', 'name', 'role', 'userId']);
    expect(JSON.stringify(schemas)).not.toMatch(/password|hash/i);
  });
});
