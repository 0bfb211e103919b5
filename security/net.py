"""Whether a host is this machine's own: the one loopback test for settings (the development
secrets may bind only there) and for the FCM sender (plain http only to a local stand-in)."""
import ipaddress


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost (any case). Anything else (0.0.0.0, ::, a LAN address, a
    name) may be reachable from other machines."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
