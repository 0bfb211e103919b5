"""The operators' side of the audit trail: `flask verify-audit` checks the chain against its
sealed head and every signed checkpoint it can find; `flask audit-checkpoint` writes a checkpoint
now (for cron); `flask verify-audit --seal-legacy-head` seals, once checked, a head written
before heads were sealed.

Checkpoints are read before the head: a checkpoint is only ever made of a head already in place,
and a head only moves on, so every checkpoint read first is at or below the head read after it,
unless the head was put back. Appends made while the walk runs wait for the next check.
"""
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from models.audit import AuditLog, HeadInvalid
from security.audit_anchor import checkpoint, checkpoint_holds, head_holds, head_seal
from security.audit_chain import BEYOND_HEAD, ChainVerifier, Fault
from services.audit import checkpoints
from services.audit.recorder import chain_key
from services.errors import AuditUnavailable, Conflict

Lines = Iterable[tuple[int, dict | None]]  # (number, the checkpoint a line holds, or None)


@dataclass(frozen=True)
class Anchors:
    """What the signed checkpoints found say: {seq: hash}, and the first checkpoint that did
    not verify or disagreed with another (`problem`), if any."""
    hashes: dict = field(default_factory=dict)
    problem: str | None = None

    @property
    def latest_seq(self) -> int:
        return max(self.hashes, default=0)


def gather(sources: Iterable[tuple[str, Lines]], chain: str, public: bytes) -> Anchors:
    """The checkpoints of `chain` in `sources` ((name, lines) each) that verify under `public`.
    A line that does not verify is a problem, not skipped: it was forged or damaged."""
    hashes = {}
    for name, lines in sources:
        for number, point in lines:
            if point is None or not checkpoint_holds(point, public):
                return Anchors(hashes, f"audit checkpoint {number} of {name} does not verify: "
                                       "forged or damaged")
            if point["chain"] == chain and \
                    hashes.setdefault(point["seq"], point["hash"]) != point["hash"]:
                return Anchors(hashes, f"signed audit checkpoints disagree about seq "
                                       f"{point['seq']} (checkpoint {number} of {name})")
    return Anchors(hashes)


@dataclass(frozen=True)
class ChainReport:
    """`count` entries checked; `fault` the first place the chain does not hold; `problem` a
    fault of the head or of the checkpoints, in words; `checkpoints` how many seqs signed
    checkpoints fixed."""
    count: int
    fault: Fault | None = None
    problem: str | None = None
    checkpoints: int = 0

    @property
    def holds(self) -> bool:
        return self.fault is None and self.problem is None

    def describe(self) -> str:
        """One line for the operator."""
        if self.problem:
            return self.problem
        if self.fault:
            detail = f": {self.fault.detail}" if self.fault.detail else ""
            return (f"audit chain broken at seq {self.fault.seq} ({self.fault.reason}{detail}); "
                    f"{self.count} entries before it hold")
        return (f"audit chain intact: {self.count} entries; {self.checkpoints} signed "
                "checkpoints agree")


def head_problem(key: bytes, chain: str, head: dict | None, latest_checkpoint: int) -> str | None:
    """What is wrong with the head document as read, or None."""
    if head is None:
        return (f"audit chain head missing: the head of chain {chain} was deleted; appends and "
                "access logs are refused")
    if "seal" not in head:
        return ("audit chain head unsealed: written before heads were sealed, or its seal "
                "removed; check it with flask verify-audit --seal-legacy-head")
    if not head_holds(key, chain, head):
        return (f"audit chain head seal does not hold: the head (seq {head.get('seq')}) was "
                "changed without the chain key")
    if head["seq"] < latest_checkpoint:
        return (f"audit chain head rolled back: it names seq {head['seq']}, a signed checkpoint "
                f"names seq {latest_checkpoint}")
    return None


def check_chain(log: AuditLog, key: bytes, head: dict | None, anchors: Anchors = Anchors(),
                batch_size: int = 1000,
                progress: Callable[[int], None] = lambda n: None) -> ChainReport:
    """Check the head document `head` (as read after the checkpoints), then walk the chain in
    seq order up to it, `batch_size` entries per query, against the checkpoints; then look for
    entries past the head. `progress` is told how many entries each batch held."""
    problem = anchors.problem or head_problem(key, log.chain, head, anchors.latest_seq)
    if problem:
        return ChainReport(0, problem=problem)
    verifier, after = ChainVerifier(key, anchors.hashes), 0
    while after < head["seq"]:
        batch = log.walk(after, head["seq"], batch_size)
        if not batch:
            break  # the newest entries are missing: finish() names the first
        fault = _feed(verifier, batch)
        if fault:
            return ChainReport(verifier.count, fault, checkpoints=len(anchors.hashes))
        after = batch[-1]["seq"]
        progress(len(batch))
    walked = ChainReport(verifier.count, verifier.finish(head), checkpoints=len(anchors.hashes))
    return walked if walked.fault else _past_the_head(log, key, head, walked)


def _feed(verifier: ChainVerifier, batch: Iterable[dict]) -> Fault | None:
    for entry in batch:
        fault = verifier.feed(entry)
        if fault:
            return fault
    return None


def _past_the_head(log: AuditLog, key: bytes, head: dict, walked: ChainReport) -> ChainReport:
    """`walked`, unless entries are stored past the head, which the walk up to it does not read
    (an old head put back over them). The highest is read before the head is read again: an
    append moves the head before it inserts, so an entry an append made meanwhile is never
    past the head."""
    beyond = log.last_seq_after(head["seq"])
    if beyond is None:
        return walked
    try:
        now = log.head(key)["seq"]
    except HeadInvalid as invalid:
        return ChainReport(walked.count, problem=f"audit chain head changed during the check: "
                                                 f"{invalid}")
    if beyond <= now:
        return walked
    return ChainReport(walked.count, Fault(walked.count, now + 1, BEYOND_HEAD,
                                           f"entries up to seq {beyond} lie past the head"),
                       checkpoints=walked.checkpoints)


# The app-facing functions.

def checkpoint_sources(ctx, paths: Iterable[str] = ()) -> list[tuple[str, Lines]]:
    """AUDIT_CHECKPOINT_FILE (when there), each of `paths` (a witness's copies), and the
    database's own checkpoints. Raises OSError for a file that cannot be read."""
    configured = ctx.setting("AUDIT_CHECKPOINT_FILE")
    files = [configured] if configured and os.path.exists(configured) else []
    sources = [(path, list(checkpoints.read_lines(path))) for path in [*files, *paths]]
    points = ctx.repos.checkpoints.all()
    return [*sources, ("the database", list(enumerate(points, start=1)))]


def verify_chain(ctx, head: dict | None, anchors: Anchors, batch_size: int = 1000,
                 progress: Callable[[int], None] = lambda n: None) -> ChainReport:
    """check_chain on the app's chain, with the app's key."""
    return check_chain(ctx.repos.audit_log, chain_key(ctx), head, anchors, batch_size, progress)


def anchors_from(ctx, paths: Iterable[str] = ()) -> Anchors:
    """The app chain's signed checkpoints (checkpoint_sources), checked with the app's key."""
    return gather(checkpoint_sources(ctx, paths), ctx.repos.audit_log.chain,
                  checkpoints.published_key(ctx))


def chain_head(ctx) -> dict | None:
    """The app's chain's head document as stored (seal not checked), or None."""
    return ctx.repos.audit_log.head_document()


def checkpoint_now(ctx) -> dict:
    """Sign and write a checkpoint of the head now; returns it. Raises AuditUnavailable when
    the head is missing or its seal does not hold."""
    log = ctx.repos.audit_log
    try:
        head = log.head(chain_key(ctx))
    except HeadInvalid as invalid:
        raise AuditUnavailable(f"No checkpoint written: {invalid}. Run flask verify-audit.") \
            from None
    at = ctx.now()
    signed = checkpoints.anchor_of(ctx, log.chain).write(
        checkpoint(log.chain, head["seq"], head["hash"], at))
    log.checkpointed(head, at)
    return signed


def seal_legacy_head(ctx, anchors: Anchors, batch_size: int = 1000,
                     progress: Callable[[int], None] = lambda n: None) -> ChainReport:
    """Seal a head written before heads were sealed, once the chain up to it verifies (and
    nothing lies past it). Raises Conflict for a missing head or one that has a seal."""
    log, key = ctx.repos.audit_log, chain_key(ctx)
    head = log.head_document()
    if head is None or "seal" in head:
        raise Conflict("The audit chain's head is missing or already sealed: nothing to seal.")
    seal = head_seal(key, log.chain, head["seq"], head["hash"])
    report = check_chain(log, key, {**head, "seal": seal}, anchors, batch_size, progress)
    if report.holds and not log.seal_legacy(head, seal):
        raise Conflict("The audit chain's head changed during the check; run it again.")
    return report
