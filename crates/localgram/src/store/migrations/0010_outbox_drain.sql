-- Planning reads `webhook_heads` and `webhook_deliveries_pending_by_account` (0008); nothing
-- reads `(status, app_id, login, id)` any more, and every recorded outcome paid for keeping it.
DROP INDEX webhook_deliveries_by_stream;
