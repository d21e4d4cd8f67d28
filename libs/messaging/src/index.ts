export * from './types';
export * from './errors';
export { RabbitConnection, redactUrl, type RabbitConnectionOptions, type ConnectionSetup } from './connection';
export { ConfirmPublisher, type ConfirmPublisherOptions } from './confirm-publisher';
export { ReliableConsumer, MAX_ATTEMPTS_EXCEEDED, type ReliableConsumerOptions } from './reliable-consumer';
export { replayDeadLetters, type ReplayDeadLettersOptions } from './replay-dead-letters';
export { retryQueueName, deadLetterQueueName, declareConsumerTopology, type ConsumerTopology } from './topology';
export { MessagingHeaders } from './headers';
