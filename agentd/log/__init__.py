"""Log back ends: where commands are made durable and ordered before the FSM applies them."""
