export * from './ports';
export * from './use-cases/handle-user-event/handle-user-event.use-case';
export * from './use-cases/handle-user-event/notification-plan';
export * from './use-cases/send-pending-notifications/send-pending-notifications.use-case';
export * from './use-cases/list-notifications/list-notifications.use-case';
export * from './use-cases/get-notification/get-notification.use-case';
