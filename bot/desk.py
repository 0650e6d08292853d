"""The publishing desk: what an admin publishes that is not carried out at once, and the record of all of it.

A **request** (`PublishRequest`, kept by `store.requests`) is a push scheduled for a time, or (`BOT_REQUIRE_APPROVAL`)
a push, correction, recall or content change waiting for an admin other than its author to approve it. Other
admins get the same per-language previews and a card with Approve and Reject; the author's card has Withdraw; a
handled request's cards say what became of it.

A request is carried out at most once. Every change of its state goes through this desk under one lock and, in the
store, through a compare-and-set (`RequestRepository.move`): approving twice, approving a withdrawn request or a
scheduled time that comes as an admin cancels finds the request handled and does nothing. A push, correction or
recall carried out records the request's id in its broadcast's record, in the write that creates the broadcast, so
the outbox is the proof that it went out: should the process stop before the request is marked, `start` finds the
broadcast and marks it instead of publishing again. A scheduled push is timed by PTB's JobQueue, each delay
reckoned from the injectable `Clock` (tests move it on; `rearm` re-reads it); one whose time passed while the bot was
not running goes out at start, once, and every admin is told it was late.

Every publishing action, carried out at once or through a request, goes into the audit log (`store.audit`): when,
which admin (Telegram user id), what. Admin ids only: a member's id never reaches it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackContext, ExtBot, JobQueue

from bot import LANGUAGES, render
from bot.broadcast import Clock
from bot.config import Settings
from bot.content import Content, ContentError, RawItem
from bot.content_edit import diff, stale_translations
from bot.i18n import Catalogs, Translator
from bot.model import (
    APPROVED,
    AWAITING,
    CANCELLED,
    CONTENT_CHANGE,
    CONTENT_CHANGED,
    CORRECTED,
    CORRECTION,
    DRAFTED,
    OPEN,
    PREVIEWED,
    PUBLISHED,
    PUSH,
    RECALL,
    RECALLED,
    REJECTED,
    SCHEDULED,
    SENT_NOW,
    WITHDRAWN,
    AuditEntry,
    Broadcast,
    PublishRequest,
)
from bot.publishing import Publisher
from bot.store import Store

log = logging.getLogger(__name__)

EARLY = 1.0
"""Seconds a scheduled job may fire before its time (the timer's and the clock's jitter) and still go out."""

GONE, HANDLED, OWN, NOT_AUTHOR, DONE = "gone", "handled", "own", "not_author", "done"
"""What became of an admin's action on a request: there is no such request, it was handled already, the author
tried to approve their own, someone else tried to withdraw it, or it was done."""

Card = tuple[int, int]
"""A message on an admin's screen: (chat id, message id)."""
Verdict = tuple[str, PublishRequest | None]
"""What became of an admin's action on a request (`DONE`…), and the request as it now is."""


class Desk:
    def __init__(self, bot: ExtBot[Any], store: Store, publisher: Publisher, catalogs: Catalogs, settings: Settings,
                 content: Callable[[], Content], clock: Clock | None = None) -> None:
        self._bot = bot
        self._store = store
        self._publisher = publisher
        self._catalogs = catalogs
        self._settings = settings
        self._content = content
        self._clock = clock or Clock()
        self._lock = asyncio.Lock()
        self._jobs: JobQueue[Any] | None = None

    @property
    def approval_required(self) -> bool:
        return self._settings.require_approval

    @property
    def zone(self) -> ZoneInfo:
        return self._settings.timezone

    def now(self) -> datetime:
        return self._clock.wall()

    # --- the audit log ------------------------------------------------------------------------------------

    async def audit(self, admin: int, action: str, *, request: int | None = None, update: int | None = None,
                    broadcast: int | None = None, topic: str = "", note: str = "") -> None:
        await self._store.audit.add(AuditEntry(self.now().isoformat(timespec="seconds"), admin, action, request,
                                               update, broadcast, topic, note))

    # --- carried out at once (no approval) ----------------------------------------------------------------

    async def publish_now(self, admin: int, topic: str, texts: dict[str, str], chat: int,
                          progress: int | None) -> Broadcast:
        broadcast = await self._publisher.publish(topic, texts, chat, progress)
        await self.audit(admin, SENT_NOW, update=broadcast.update_id, broadcast=broadcast.id, topic=topic)
        return broadcast

    async def correct_now(self, admin: int, update_id: int, texts: dict[str, str], chat: int,
                          progress: int | None) -> Broadcast | None:
        broadcast = await self._publisher.correct(update_id, texts, chat, progress)
        if broadcast is not None:
            await self.audit(admin, CORRECTED, update=update_id, broadcast=broadcast.id, topic=broadcast.topic)
        return broadcast

    async def recall_now(self, admin: int, update_id: int, chat: int, progress: int | None) -> Broadcast | None:
        broadcast = await self._publisher.recall(update_id, chat, progress)
        if broadcast is not None:
            await self.audit(admin, RECALLED, update=update_id, broadcast=broadcast.id, topic=broadcast.topic)
        return broadcast

    async def change_content_now(self, admin: int, item: RawItem) -> None:
        """Apply a content file (raises ContentError when the content changed since its preview)."""
        await self._store.content.apply_admin_item(item)
        await self.audit(admin, CONTENT_CHANGED, topic=item.id if item.kind == "case" else "", note=item.where)

    # --- a draft's preview, kept ----------------------------------------------------------------------------

    async def keep_preview(self, author: int, name: str, chat: int, topic: str, texts: dict[str, str],
                           update_id: int | None, request_id: int | None, nonce: str) -> PublishRequest:
        """The draft as previewed, kept as a `PREVIEWED` request: should the process stop before the admin confirms,
        the Confirm under this preview still works after the restart, and once (see `confirm`). One request per
        draft: a new preview replaces its texts and its id (`preview`: "<request id>.<nonce>", what its buttons
        carry)."""
        if request_id is not None:
            moved, changed = await self._store.requests.move(request_id, {PREVIEWED}, PREVIEWED, topic=topic,
                                                             texts=texts, update=update_id,
                                                             preview=f"{request_id}.{nonce}")
            if changed and moved is not None:
                return moved
        request = await self._store.requests.add(CORRECTION if update_id else PUSH, PREVIEWED, author, name, chat,
                                                 self._stamp(), topic=topic, texts=texts, update_id=update_id)
        await self._store.requests.set(request.id, preview=f"{request.id}.{nonce}")
        return replace(request, preview=f"{request.id}.{nonce}")

    async def confirm(self, request_id: int, preview: str, admin: int, progress: Card | None) -> Broadcast | None:
        """Carry out a kept preview, once: None if it is not that preview's any more (gone, rewritten, sent or
        cancelled: a second Confirm, even after a restart, finds it handled)."""
        async with self._lock:
            request = await self._store.requests.get(request_id)
            if request is None or request.state != PREVIEWED or not preview or request.preview != preview:
                return None
            done = await self._carry_out(request, admin, progress)
        return await self._store.outbox.get(done.broadcast) if done.broadcast is not None else None

    async def unkeep_preview(self, request_id: int | None, *, rewriting: bool = False) -> None:
        """The draft is rewritten (its preview's Confirm no longer sends it) or dropped (cancelled or scheduled)."""
        if request_id is None:
            return
        if rewriting:
            await self._store.requests.move(request_id, {PREVIEWED}, PREVIEWED, preview="")
        else:
            await self._store.requests.move(request_id, {PREVIEWED}, CANCELLED)

    # --- requests: made -----------------------------------------------------------------------------------

    async def schedule(self, author: int, name: str, chat: int, topic: str, texts: dict[str, str],
                       due: datetime, card: Card | None = None, kept: int | None = None) -> PublishRequest:
        """A push to go out at `due`: scheduled now, or (approval on) once another admin approves it. `kept`: the
        draft's kept preview, which becomes the scheduled request."""
        if self.approval_required:
            return await self.submit(PUSH, author, name, chat, topic=topic, texts=texts, due=due, card=card)
        moved = None
        if kept is not None:
            moved, changed = await self._store.requests.move(kept, {PREVIEWED}, SCHEDULED, topic=topic, texts=texts,
                                                             due=due.isoformat(timespec="seconds"), preview="")
            moved = moved if changed else None
        request = moved or await self._store.requests.add(PUSH, SCHEDULED, author, name, chat, self._stamp(),
                                                          topic=topic, texts=texts,
                                                          due=due.isoformat(timespec="seconds"))
        await self.audit(author, SCHEDULED, request=request.id, topic=topic)
        self._arm(request)
        return request

    async def submit(self, action: str, author: int, name: str, chat: int, *, topic: str = "",
                     texts: dict[str, str] | None = None, update_id: int | None = None,
                     item: RawItem | None = None, due: datetime | None = None,
                     card: Card | None = None) -> PublishRequest:
        """A request for another admin's approval: the author's `card` (the message they confirmed on; without one, a
        new message in `chat`) shows it with Withdraw, and every other admin gets its previews and a card with Approve
        and Reject."""
        raw = {"kind": item.kind, "id": item.id, "where": item.where, "data": item.data} if item else None
        request = await self._store.requests.add(action, AWAITING, author, name, chat, self._stamp(), topic=topic,
                                                 texts=texts, update_id=update_id, item=raw,
                                                 due=due.isoformat(timespec="seconds") if due else None)
        await self.audit(author, DRAFTED, request=request.id, update=update_id, topic=topic,
                         note=item.where if item else "")
        cards: list[Card] = []
        if card is not None and await self._edit_card(card, request, author=True):
            cards.append(card)
        elif card is None:
            tr = await self._translator(chat)
            [shown] = render.request_card(tr, self._content(), request, self.zone, author=True)
            try:
                sent = await self._bot.send_message(chat, shown.text, reply_markup=shown.keyboard)
                cards.append((chat, sent.message_id))
            except TelegramError as exc:
                log.warning("request %d could not be shown to its author: %s", request.id, type(exc).__name__)
        cards += await self._show_to_others(request)
        await self._store.requests.set(request.id, cards=[list(c) for c in cards])
        return request

    async def _show_to_others(self, request: PublishRequest) -> list[Card]:
        cards = []
        for admin in sorted(self._settings.admin_ids - {request.author}):
            tr = await self._translator(admin)
            try:
                for text, keyboard in await self._previews(tr, request):
                    await self._bot.send_message(admin, text, reply_markup=keyboard)
                [card] = render.request_card(tr, self._content(), request, self.zone, author=False)
                sent = await self._bot.send_message(admin, card.text, reply_markup=card.keyboard)
            except TelegramError as exc:  # an admin who never opened the bot's chat cannot be written to
                log.warning("request %d could not be shown to an admin: %s", request.id, type(exc).__name__)
                continue
            cards.append((admin, sent.message_id))
        return cards

    async def _previews(self, tr: Translator, request: PublishRequest) -> list[tuple[str, Any]]:
        """What the other admins see above the request's card: each language's message as members will get it, or
        a content file's changes."""
        if request.action == CONTENT_CHANGE:
            item = _raw_item(request)
            old = await self._store.content.stored_data(item)
            screen = render.content_preview(tr, item.where, diff(old or {}, item.data),
                                            stale_translations(old or {}, item.data), decision=False)
            return [(part.text, part.keyboard) for part in screen]
        update = await self._store.updates.get(request.update_id) if request.update_id else None
        if request.action == RECALL:
            if update is None:
                return []
            shown = self._publisher.preview(update.topic, update.texts, None)
            return [(shown[lang].text, shown[lang].keyboard) for lang in LANGUAGES]
        shown = self._publisher.preview(request.topic, request.texts or {}, update)
        return [(shown[lang].text, shown[lang].keyboard) for lang in LANGUAGES]

    # --- requests: decided --------------------------------------------------------------------------------

    async def approve(self, request_id: int, admin: int, name: str, card: Card | None) -> Verdict:
        """An admin's approval: carried out (the pressed `card` becomes its progress card), or scheduled when its time
        is still ahead. The author's own approval, and one of a handled request, change nothing."""
        async with self._lock:
            request = await self._store.requests.get(request_id)
            if request is None:
                return GONE, None
            if request.state != AWAITING:
                return HANDLED, request
            if request.author == admin:
                return OWN, request
            await self.audit(admin, APPROVED, request=request.id, update=request.update_id, topic=request.topic)
            if request.due is not None and datetime.fromisoformat(request.due) > self.now():
                moved, _ = await self._store.requests.move(request.id, {AWAITING}, SCHEDULED, decided_by=admin)
                assert moved is not None
                await self.audit(admin, SCHEDULED, request=request.id, topic=request.topic)
                self._arm(moved)
                done = moved
            else:
                done = await self._carry_out(request, admin, card)
        await self._close_cards(done, name, skip=card if done.broadcast is not None else None)
        await self._tell_author(done, admin, render.approved_notice(await self._translator(done.admin_chat), done,
                                                                      name))
        return DONE, done

    async def reject(self, request_id: int, admin: int, name: str, reason: str) -> Verdict:
        async with self._lock:
            request, moved = await self._store.requests.move(request_id, {AWAITING}, REJECTED, decided_by=admin,
                                                             reason=reason)
            if request is None:
                return GONE, None
            if not moved:
                return HANDLED, request
            await self.audit(admin, REJECTED, request=request.id, update=request.update_id, topic=request.topic,
                             note=reason)
        await self._close_cards(request, name)
        await self._tell_author(request, admin, render.rejected_notice(await self._translator(request.admin_chat),
                                                                         request, name))
        return DONE, request

    async def withdraw(self, request_id: int, admin: int, name: str) -> Verdict:
        async with self._lock:
            request = await self._store.requests.get(request_id)
            if request is None:
                return GONE, None
            if request.state != AWAITING:
                return HANDLED, request
            if request.author != admin:
                return NOT_AUTHOR, request
            request, _ = await self._store.requests.move(request_id, {AWAITING}, WITHDRAWN, decided_by=admin)
            assert request is not None
            await self.audit(admin, WITHDRAWN, request=request.id, update=request.update_id, topic=request.topic)
        await self._close_cards(request, name)
        return DONE, request

    async def cancel(self, request_id: int, admin: int, name: str) -> Verdict:
        """A scheduled push called off: it will not go out."""
        async with self._lock:
            request, moved = await self._store.requests.move(request_id, {SCHEDULED}, CANCELLED, decided_by=admin)
            if request is None:
                return GONE, None
            if not moved:
                return HANDLED, request
            self._disarm(request_id)
            await self.audit(admin, CANCELLED, request=request.id, topic=request.topic)
        await self._close_cards(request, name)
        return DONE, request

    async def send_now(self, request_id: int, admin: int, name: str, chat: int) -> Verdict:
        """A scheduled push sent at once (its progress card: a new message in `chat`)."""
        async with self._lock:
            request = await self._store.requests.get(request_id)
            if request is None:
                return GONE, None
            if request.state != SCHEDULED:
                return HANDLED, request
            self._disarm(request_id)
            progress = await self._bot.send_message(chat, render.going_out(await self._translator(chat), request))
            done = await self._carry_out(request, admin, (chat, progress.message_id))
        await self._close_cards(done, name)
        return DONE, done

    async def _carry_out(self, request: PublishRequest, admin: int, progress: Card | None, *,
                         late: bool = False) -> PublishRequest:
        """Publish an open request, once (call with the lock held)."""
        sent = (await self._store.outbox.by_request()).get(request.id)
        if sent is not None:  # it went out before a stop that came before the request was marked
            return await self._mark(request, PUBLISHED, broadcast=sent)
        chat, message = progress if progress is not None else (request.admin_chat, None)
        note = "late" if late else ""
        broadcast: Broadcast | None = None
        if request.action == PUSH:
            broadcast = await self._publisher.publish(request.topic, request.texts or {}, chat, message,
                                                      request=request.id)
            await self.audit(admin, SENT_NOW, request=request.id, update=broadcast.update_id, broadcast=broadcast.id,
                             topic=request.topic, note=note)
        elif request.action == CORRECTION and request.update_id is not None:
            broadcast = await self._publisher.correct(request.update_id, request.texts or {}, chat, message,
                                                      request=request.id)
            if broadcast is not None:
                await self.audit(admin, CORRECTED, request=request.id, update=request.update_id,
                                 broadcast=broadcast.id, topic=request.topic)
        elif request.action == RECALL and request.update_id is not None:
            broadcast = await self._publisher.recall(request.update_id, chat, message, request=request.id)
            if broadcast is not None:
                await self.audit(admin, RECALLED, request=request.id, update=request.update_id,
                                 broadcast=broadcast.id, topic=request.topic)
        elif request.action == CONTENT_CHANGE:
            item = _raw_item(request)
            try:
                await self._store.content.apply_admin_item(item)
            except ContentError as error:  # the content changed since the file was checked
                log.info("request %d: the content file no longer applies (%s)", request.id, error.code)
                return await self._mark(request, CANCELLED, decided_by=admin)
            await self.audit(admin, CONTENT_CHANGED, request=request.id, note=item.where)
            return await self._mark(request, PUBLISHED, decided_by=admin)
        if broadcast is None:  # the update to correct or recall is gone
            return await self._mark(request, CANCELLED, decided_by=admin)
        return await self._mark(request, PUBLISHED, broadcast=broadcast.id, decided_by=admin, late=late)

    async def _mark(self, request: PublishRequest, state: str, **fields: Any) -> PublishRequest:
        moved, _ = await self._store.requests.move(request.id, OPEN, state, **fields)
        assert moved is not None
        return moved

    # --- scheduled pushes -----------------------------------------------------------------------------------

    async def start(self, jobs: JobQueue[Any] | None) -> None:
        """At start, after unfinished broadcasts resumed: requests that went out before a stop are marked, scheduled
        pushes whose time passed go out now (late: every admin is told), the others wait for their time."""
        if self.approval_required and len(self._settings.admin_ids) < 2:
            log.warning("BOT_REQUIRE_APPROVAL is on but BOT_ADMIN_IDS names %d admin: approval cannot work, as an "
                        "admin cannot approve their own request; add a second admin",
                        len(self._settings.admin_ids))
        self._jobs = jobs
        sent = await self._store.outbox.by_request()
        async with self._lock:
            for request in await self._store.requests.listed(OPEN):
                if request.id in sent:
                    log.info("request %d went out before the last stop (broadcast %d)", request.id, sent[request.id])
                    await self._mark(request, PUBLISHED, broadcast=sent[request.id])
        for request in await self._store.requests.listed({SCHEDULED}):
            assert request.due is not None
            if datetime.fromisoformat(request.due) <= self.now():
                await self._fire(request.id, late=True)
            else:
                self._arm(request)

    async def rearm(self) -> None:
        """Time each scheduled push again from the clock (after the clock moved: a test, or the system's clock)."""
        for request in await self._store.requests.listed({SCHEDULED}):
            self._arm(request)

    def _arm(self, request: PublishRequest) -> None:
        if self._jobs is None or request.due is None:
            return
        self._disarm(request.id)
        delay = max(0.0, (datetime.fromisoformat(request.due) - self.now()).total_seconds())
        self._jobs.run_once(self._job, when=delay, data=request.id, name=_job_name(request.id),
                            job_kwargs={"misfire_grace_time": None})

    def _disarm(self, request_id: int) -> None:
        if self._jobs is not None:
            for job in self._jobs.get_jobs_by_name(_job_name(request_id)):
                job.schedule_removal()

    async def _job(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        assert context.job is not None and isinstance(context.job.data, int)
        await self._fire(context.job.data)

    async def _fire(self, request_id: int, *, late: bool = False) -> None:
        async with self._lock:
            request = await self._store.requests.get(request_id)
            if request is None or request.state != SCHEDULED or request.due is None:
                return  # cancelled, sent now, or carried out already
            due = datetime.fromisoformat(request.due)
            if due - self.now() > timedelta(seconds=EARLY):
                self._arm(request)  # the clock was set back: not yet
                return
            tr = await self._translator(request.admin_chat)
            try:
                progress: Card | None = (request.admin_chat,
                                         (await self._bot.send_message(request.admin_chat,
                                                                       render.going_out(tr, request))).message_id)
            except TelegramError as exc:  # it goes out all the same; the report is sent when it ends
                log.warning("request %d: its author could not be told it is going out: %s", request.id,
                            type(exc).__name__)
                progress = None
            done = await self._carry_out(request, request.author, progress, late=late)
        log.info("scheduled request %d went out%s", request_id, " late" if late else "")
        if late:
            now = self.now()
            for admin in sorted(self._settings.admin_ids):
                await self._notify(admin, render.late_notice(await self._translator(admin), done, now, self.zone))

    # --- the admins' screens ------------------------------------------------------------------------------

    async def _translator(self, chat_id: int) -> Translator:
        record = await self._store.chats.get(chat_id)
        return self._catalogs.get(record.language if record else self._settings.default_language)

    async def _edit_card(self, card: Card, request: PublishRequest, *, author: bool, decider: str = "") -> bool:
        tr = await self._translator(card[0])
        [shown] = render.request_card(tr, self._content(), request, self.zone, author=author, decider=decider)
        try:
            await self._bot.edit_message_text(shown.text, chat_id=card[0], message_id=card[1],
                                              reply_markup=shown.keyboard)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                log.info("a request card could not be updated: %s", exc.message)
                return False
        except TelegramError as exc:
            log.info("a request card could not be updated: %s", type(exc).__name__)
            return False
        return True

    async def _close_cards(self, request: PublishRequest, decider: str, *, skip: Card | None = None) -> None:
        """Every admin's card of a handled request says what became of it (the one that became its progress card
        aside)."""
        for card in request.cards:
            if card != skip:
                await self._edit_card(card, request, author=False, decider=decider)

    async def _tell_author(self, request: PublishRequest, admin: int, text: str) -> None:
        if admin != request.author:
            await self._notify(request.admin_chat, text)

    async def _notify(self, chat: int, text: str) -> None:
        try:
            await self._bot.send_message(chat, text)
        except TelegramError as exc:
            log.warning("an admin could not be told about a request: %s", type(exc).__name__)

    def _stamp(self) -> str:
        return self.now().isoformat(timespec="seconds")


def _job_name(request_id: int) -> str:
    return f"request-{request_id}"


def _raw_item(request: PublishRequest) -> RawItem:
    item = request.item or {}
    return RawItem(str(item["kind"]), str(item["id"]), str(item["where"]), item["data"])
