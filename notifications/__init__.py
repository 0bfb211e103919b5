"""What to tell whom (never health data in a push), the outbox and the FCM sender.

Empty until notifications are built; the foundation only fixes where they live.
"""
