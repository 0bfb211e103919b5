"""Pushes: what to tell whom (never health data in a push), and their delivery.

push.py     Push and Result: pure values; data holds opaque ids only, and that is checked
fcm.py      FcmSender (firebase-admin's send_each, batches of 500) and LogSender (development)
fcm_errors  how firebase-admin's errors read: drop the token, retry later, or give up
worker.py   the Outbox protocol the storage implements, deliver_once (one round) and backoff
"""
