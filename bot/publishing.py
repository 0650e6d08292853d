"""Publishing an admin's update: who gets it, the preview, the timeline entry and the outbox.

A new update, a correction and a recall take the same road: the timeline is written, then every recipient
(or every delivered message, for a correction or a recall) is persisted in the outbox, and only then does the
broadcaster start sending. Scheduled and approved ones take it too (`bot/desk.py`): their request's id goes into
the broadcast's record, in the write that creates it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot import LANGUAGES, render
from bot.broadcast import Broadcaster, Clock
from bot.config import DEFAULT_MAX_FLOOD_WAIT, DEFAULT_SEND_TIMEOUT
from bot.content import Content
from bot.i18n import Catalogs
from bot.model import EDIT, RECALL, SEND, SENT, Broadcast, CampaignUpdate, ChatRecord, Outgoing, Target
from bot.store import Store

log = logging.getLogger(__name__)


class Publisher:
    def __init__(self, bot: ExtBot[Any], store: Store, catalogs: Catalogs, content: Callable[[], Content],
                 default_language: str, *, max_flood_wait: float = DEFAULT_MAX_FLOOD_WAIT,
                 send_timeout: float = DEFAULT_SEND_TIMEOUT, clock: Clock | None = None) -> None:
        self._bot = bot
        self._store = store
        self._catalogs = catalogs
        self._content = content
        self._default_language = default_language
        self.broadcaster = Broadcaster(bot, store, self.compose, self.report, max_flood_wait=max_flood_wait,
                                       topic_gone=self.topic_gone, send_timeout=send_timeout, clock=clock)

    # --- drafts -----------------------------------------------------------------------------------------

    async def audience(self, topic: str) -> Counter[str]:
        """How many chats of each language a new update about `topic` would reach."""
        return Counter(r.language for r in await self._store.chats.recipients(topic))

    async def delivered(self, update_id: int) -> list[Target]:
        """The messages that carried `update_id` (what a correction edits), newest broadcast's last."""
        targets: dict[tuple[int, int | None], Target] = {}
        for broadcast in reversed(await self._store.outbox.recent(None)):
            if broadcast.update_id == update_id and broadcast.kind == SEND:
                for d in await self._store.outbox.deliveries(broadcast.id, SENT):
                    if d.chat_id:  # 0: the chat asked to be forgotten
                        targets[d.chat_id, d.thread_id] = Target(d.chat_id, d.language, d.quiet, d.message_id,
                                                                 d.thread_id, d.sent_at)
        return list(targets.values())

    def preview(self, topic: str, texts: Mapping[str, str], correcting: CampaignUpdate | None) -> dict[str, Outgoing]:
        """Each language's message exactly as its subscribers will get it."""
        draft = CampaignUpdate(0, topic, dict(texts), correcting.published if correcting else date.today().isoformat(),
                               date.today().isoformat() if correcting else None)
        return self._messages(draft)

    def _messages(self, update: CampaignUpdate) -> dict[str, Outgoing]:
        content = self._content()
        messages = {}
        for lang in LANGUAGES:
            reply = render.update_message(self._catalogs.get(lang), content, update)
            messages[lang] = Outgoing(reply.text, reply.keyboard)
        return messages

    # --- publishing -------------------------------------------------------------------------------------

    async def recover(self) -> list[int]:
        """At start, before broadcasts resume: an update in the timeline without its broadcast was published by
        a process that died between the two writes (its admin saw no progress card, and the draft is gone).
        It is taken out of the timeline, so that no card shows an update its subscribers never got; the
        admin publishes it again. Returns the ids taken out.

        An update whose recall was recorded but which is still in the timeline (the process died between the two
        writes) is taken out too, as the recall would have done."""
        for update_id in await self._store.drop_recalled_updates():
            log.info("update #%d was being recalled: it was taken out of the timeline", update_id)
        return await self._store.drop_unsent_updates()

    async def publish(self, topic: str, texts: Mapping[str, str], admin_chat: int,
                      progress_message: int | None = None, request: int | None = None) -> Broadcast:
        """Record the update in its timeline and every recipient in the outbox, then start sending.

        `progress_message` is the admin's message that becomes the progress card. The sender runs before
        this returns, so nothing the caller then shows the admin (or fails to) can hold the broadcast back.
        """
        update = await self._store.updates.add(topic, dict(texts))
        recipients = await self._store.chats.recipients(topic)
        targets = [Target(r.chat_id, r.language, r.quiet, thread_id=r.thread_id) for r in recipients]
        broadcast = await self._store.outbox.create(SEND, update.id, topic, admin_chat, targets,
                                                    progress_message=progress_message, request=request)
        self.broadcaster.start(broadcast)
        return broadcast

    async def correct(self, update_id: int, texts: Mapping[str, str], admin_chat: int,
                      progress_message: int | None = None, request: int | None = None) -> Broadcast | None:
        """Rewrite a published update and edit every message that carried it (as `publish`, started)."""
        original = await self._store.updates.get(update_id)
        if original is None:
            return None
        targets = await self.delivered(update_id)
        # The edits are recorded before the new text: should the process die between the two writes, the
        # resumed edits carry the old text (Telegram answers "not modified") and the timeline is unchanged.
        broadcast = await self._store.outbox.create(EDIT, update_id, original.topic, admin_chat, targets,
                                                    progress_message=progress_message, request=request)
        await self._store.updates.correct(update_id, dict(texts))
        self.broadcaster.start(broadcast)
        return broadcast

    async def recall(self, update_id: int, admin_chat: int, progress_message: int | None = None,
                     request: int | None = None) -> Broadcast | None:
        """Withdraw a published update: every message that carried it is deleted or edited to the withdrawn line
        (`Broadcaster`), one delivery per chat and language with all its messages, and the update leaves the
        timeline. The broadcast is recorded first: should the process die before the timeline's write, the
        recall resumes at the next start and `recover` takes the update out."""
        original = await self._store.updates.get(update_id)
        if original is None:
            return None
        grouped: dict[tuple[int, str], list[Target]] = {}
        for target in await self.delivered(update_id):
            grouped.setdefault((target.chat_id, target.language), []).append(target)
        targets = [Target(chat_id, language, True, messages=tuple((t.message_id, t.sent_at) for t in group
                                                                  if t.message_id is not None))
                   for (chat_id, language), group in grouped.items()]
        broadcast = await self._store.outbox.create(RECALL, update_id, original.topic, admin_chat, targets,
                                                    progress_message=progress_message, request=request)
        await self._store.updates.remove(update_id)
        self.broadcaster.start(broadcast)
        return broadcast

    # --- what the broadcaster calls ---------------------------------------------------------------------

    async def compose(self, broadcast: Broadcast) -> dict[str, Outgoing]:
        if broadcast.kind == RECALL:
            return {lang: Outgoing(render.withdrawn_message(self._catalogs.get(lang))) for lang in LANGUAGES}
        update = await self._store.updates.get(broadcast.update_id)
        if update is None:
            raise LookupError(f"broadcast {broadcast.id}: update {broadcast.update_id} is missing")
        return self._messages(update)

    async def report(self, broadcast: Broadcast, counts: Counter[str], finished: bool) -> None:
        """Edit the admin's progress card in place; when finished, also send the final report."""
        current = await self._store.outbox.get(broadcast.id) or broadcast
        record = await self._store.chats.get(current.admin_chat)
        tr = self._catalogs.get(record.language if record else self._default_language)
        text = render.progress_card(tr, self._content(), current, counts, finished)
        if current.progress_message is not None:
            try:
                await self._bot.edit_message_text(text, chat_id=current.admin_chat,
                                                  message_id=current.progress_message)
            except BadRequest as exc:
                if "not modified" not in exc.message.lower():
                    raise
        if finished:
            await self._bot.send_message(current.admin_chat, render.final_report(tr, current, counts))

    async def topic_gone(self, dropped: ChatRecord) -> None:
        """Tell a group's admins, in its General topic and its language, that a forum topic of it no longer gets
        updates (it was closed or deleted, and what it followed was dropped)."""
        group = await self._store.chats.get(dropped.chat_id)
        tr = self._catalogs.get((group or dropped).language)
        await self._bot.send_message(dropped.chat_id, render.topic_gone(tr, self._content(), dropped))
