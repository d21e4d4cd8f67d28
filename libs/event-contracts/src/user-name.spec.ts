import { hasBidiControls, parseUserEvent, userEventFixtures } from './index';

describe('user name rules', () => {
  it.each([
    ['U+202E right-to-left override', 'Ada \u202Egnp.exe'],
    ['U+202A left-to-right embedding', '\u202AAda'],
    ['U+2066 left-to-right isolate', 'Ada\u2066'],
    ['U+2069 pop directional isolate', 'Ada\u2069'],
    ['U+200E left-to-right mark', 'A\u200Eda'],
    ['U+200F right-to-left mark', 'A\u200Fda'],
    ['U+061C Arabic letter mark', 'A\u061Cda'],
  ])('finds a %s', (_label, name) => {
    expect(hasBidiControls(name)).toBe(true);
    const event = userEventFixtures.created;
    expect(parseUserEvent({ ...event, payload: { ...event.payload, name } })).toMatchObject({
      ok: false,
      error: { code: 'CONTRACT_VIOLATION' },
    });
  });

  it.each(['Ada Lovelace', 'محمد', 'אדה', 'Zoë 😀'])('lets %s through (right-to-left scripts themselves are fine)', (name) => {
    expect(hasBidiControls(name)).toBe(false);
  });
});
