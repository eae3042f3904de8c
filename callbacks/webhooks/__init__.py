"""Twilio's webhooks: status callbacks, inbound SMS and the TwiML that bridges a call. All signed."""
