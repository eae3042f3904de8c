"""How crm tells the other apps about events, without importing them.

Signals are sent explicitly from service functions, inside their transaction, never from model save().
Receivers (callbacks, reviews) connect in their AppConfig.ready().
"""

from django.dispatch import Signal

# Sent once per call of crm.services.order_delivery.orders_mark_delivered, inside its transaction, with every order
# delivered for the first time by it (a repeated event is left out, so there is no "first" flag).
# kwargs: deliveries (list of (Order, aware datetime)), in order id order; never empty.
# A receiver may return {order id: [crm.services.order_delivery.OrderWarning]}: the API shows them in the order's
# row of the deliveries answer (callbacks: an order in a currency the store cannot convert was planned nothing).
orders_delivered = Signal()

# Sent by crm.services.cases.case_add_event (and cases_open, for the events it writes) after a timeline event is
# written, inside the caller's transaction.
# kwargs: event (CaseEvent, with .case). Lets an app react to what happened on a case (reviews ticks the apology
# step on a call that reached the customer) without the writer knowing that app.
case_event_added = Signal()

# Sent once per call of crm.services.ingestion.orders.orders_upsert, inside its transaction, after the orders are
# written and before their customers are: a customer row, once written, stays locked until commit, so the batch
# writes them last (ADR 0019). A receiver must not read the orders' customers; what needs them it returns as a
# callable, which runs once they are stored, still inside the transaction.
# kwargs: orders (list of (OrderInput, OrderUpsertResult)), in the order of the batch; repeats included (a receiver
# must be idempotent). Lets an app act on an order's fields (logistics tracks its parcel, then plans its notice).
orders_upserted = Signal()

# Sent by crm.services.customers.customer_update_profile after a profile change is saved, inside its transaction.
# kwargs: customer (Customer, as saved), fields (the names of the fields that changed). Lets an app take back what
# the customer's new wishes rule out (callbacks: planned calls to a customer who now asks not to be called).
customer_profile_changed = Signal()

# Sent by crm.services.stores.store_timezone_change after a store's time zone is changed (the admin's store form),
# inside its transaction, once crm has recounted its own open cases' deadlines. kwargs: store (Store, in its new
# zone), old_timezone (the IANA name it had), now (the moment of the change, aware). Lets each app move what it
# planned in the store's old local time and still is to come to the same local time in the new zone (ADR 0029).
store_timezone_changed = Signal()

# Sent by crm.services.stores.store_timezone_change before a store's time zone is changed, once the new zone is valid,
# with the store's row locked (ADR 0046). kwargs: store (Store, in the zone it has now), zone (the IANA name it would
# move to), now. A receiver changes nothing and returns a list of `crm.withdrawals.ContactsWithdrawn`: what its
# receiver of `store_timezone_changed` would withdraw after the move (retention: return visits moved past their
# campaign's end, messages the new clock leaves no time for, ADR 0029), to be confirmed before the zone is saved.
store_timezone_would_withdraw = Signal()

# Sent by crm.services.closures.store_closure_add and store_closure_remove, inside their transaction, once crm has
# counted its own open cases' deadlines again (ADR 0035). kwargs: store (Store, its row locked), now (the moment of the
# change, aware). Lets each app move what it planned on days the store is now closed (callbacks: evening calls and
# call tasks on a closure's days go to the next open evening or day). Sent on removal too: nothing planned falls on
# the days that opened again, so nothing need move, but an app may plan on them again.
store_closures_changed = Signal()

# Sent by crm.services.closures.store_closure_add before a closure is recorded, once it is valid, with the store's row
# locked (ADR 0046). kwargs: store, first_day, last_day (the closure's local days, both closed), now. A receiver
# changes nothing and returns a list of `crm.withdrawals.ContactsWithdrawn`: what recording it would withdraw
# (callbacks, asking the apps that take back call tasks: return visits moved past their campaign's end, ADR 0035), so
# that the manager confirms it before the closure is recorded.
store_closure_would_withdraw = Signal()

# Sent by crm.services.agents.agent_leave_stores once an agent no longer serves some stores (taken off them, either
# side of Agent.stores, or their login switched off), inside that transaction, after crm handed their open cases there
# on. kwargs: agent_id, store_ids (sorted list). Lets each app hand on the agent's own work of those stores to someone
# still serving them, or to nobody (the manager sees it) when nobody is left (callbacks: planned calls still to come,
# open calls about cases, which follow the cases crm handed on; retention: open gift tasks). The agent is no longer
# among the store's agents (or no longer active) when it is sent.
agent_left_stores = Signal()

# Sent by crm.services.agents.agent_leave_stores before it locks anything, inside its transaction (ADR 0037).
# kwargs: agent_id, store_ids (sorted list). A receiver changes nothing and returns the ids of the customers whose rows
# its receiver of `agent_left_stores` will lock (callbacks: the customers of the planned calls it hands on), so that crm
# locks them, with the customers of the cases it hands on, in one id-ordered statement before any case: a customer is
# never waited on while a case (or one with a higher id) is held. Asked again once they are locked: work given to the
# agent meanwhile brings its customer into a new round.
agent_leaving_stores = Signal()

# Sent by the seed_demo management command, inside its transaction, after the demo stores exist and before any
# demo order is delivered. kwargs: stores (list of Store, as in crm.demo.STORES). Lets each app set up its own
# side of the demo (callbacks: the EU store's exchange rates) before the deliveries that depend on it.
demo_stores_seeded = Signal()

# Sent by crm.services.deletions.records_delete before an operator deletes rows in the admin (an order, a review, a
# customer sent by mistake; its delete page or "Delete selected"), inside its transaction, the rows still there.
# kwargs: queryset (the rows about to be deleted, of the sender model). A receiver reads what it needs of them and of
# the rows deleted with them, and changes nothing they take with them (reports: marks the days whose figures counted
# them, for the next frequent rebuild, ADR 0005). Not sent for rows deleted any other way (a test's, a migration's).
records_deleting = Signal()
