/** @module Alerts: webhook, email and Telegram channels behind one dispatcher. */
export * from './types.js';
export * from './config.js';
export * from './format.js';
export * from './dispatcher.js';
export * from './journal.js';
export * from './factory.js';
export { WebhookChannel, webhookBody } from './channels/webhook.js';
export { TelegramChannel } from './channels/telegram.js';
export { EmailChannel } from './channels/email.js';
