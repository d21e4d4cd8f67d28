import type { UserEvent } from '@platform/event-contracts';
import type { NotificationKind, TemplateData } from '../../../domain';

export interface PlannedMail {
  readonly kind: NotificationKind;
  readonly recipient: string;
  readonly data: TemplateData;
}

/**
 * Which mails an event calls for. user.activated and a name-only user.updated call for none: the user
 * did the first themselves (or an admin undid a deactivation they were told about), and a new name needs no
 * confirmation. Such events are still recorded in the inbox.
 */
export function plannedMails(event: UserEvent): PlannedMail[] {
  const { name, email } = event.payload;
  switch (event.type) {
    case 'user.created':
      return [{ kind: 'welcome', recipient: email, data: { name, email } }];
    case 'user.updated': {
      const { previousEmail } = event.payload;
      if (!event.payload.changedFields.includes('email') || previousEmail === undefined) return [];
      const change = { name, previousEmail, newEmail: email };
      return [
        { kind: 'email-changed-old', recipient: previousEmail, data: { ...change, email: previousEmail } },
        { kind: 'email-changed-new', recipient: email, data: { ...change, email } },
      ];
    }
    case 'user.activated':
      return [];
    case 'user.deactivated':
      return [{ kind: 'deactivated', recipient: email, data: { name, email } }];
    case 'user.deleted':
      return [{ kind: 'goodbye', recipient: email, data: { name, email } }];
    default:
      return assertNever(event);
  }
}

function assertNever(event: never): never {
  throw new Error(`Unhandled event ${JSON.stringify(event)}`);
}
