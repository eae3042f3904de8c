"""Which replies opt a customer out of SMS: the usual words, a sentence asking for it, the store's extra words, and
the word the store's own opt-out wording tells the customer to send.

Every message ends with the store's opt-out wording (回T退订, "Reply STOP to opt out"). A manager may rewrite it
("回复N拒收", "Text END to unsubscribe"): a customer who then replies N or END did as they were told, and must be
opted out as surely as one who replies T. So the word a wording names is read from it (`reply_word`) and
recognised beside the usual ones, and a wording that names no word to reply is refused (the customer could not
know what to send).
"""

import re
import unicodedata

from callbacks.models import FollowUpPolicy

# Twilio's opt-out keywords: a reply that is one of them, as a whole (trimmed, in any case), makes Twilio block the
# number for our sending number and refuse every later message to it (21610), so it opts out here too (ADR 0049).
# "Please cancel my order" or "the end of the scarf is frayed" is no keyword, at Twilio or here.
TWILIO_OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"})
# Those, 退订 and its initials TD (回TD退订) and T (回T退订, the default wording of our messages).
OPT_OUT_WORDS = TWILIO_OPT_OUT_WORDS | {"退订", "TD", "T"}
# Twilio's words that lift its opt-out for the number, but YES: an answer to a care SMS (ADR 0049).
OPT_IN_WORDS = frozenset({"START", "UNSTOP"})
# A Chinese reply that asks in a sentence ("请退订", "退订谢谢", "别再发了") opts out, as the carriers read 退订: not
# opened as a complaint. The ask is not read after a negation ("不退订", "不用退订").
OPT_OUT_ASKS = ("退订", "取消订阅", "别再发", "不要再发", "别发了", "不要发了")
_NEGATIONS = ("不", "别", "没", "无需", "不用")

_QUOTES = "\"'“”‘’「」『』【】"
# 回T退订, 回复TD退订, 退订请回复N, 回复：R 拒收, 回复“取消”: the word follows 回 / 回复 (a colon, a space or a quote
# between), in quotes as written or else as a run of letters and digits. 回复退订 names 退订 itself.
_ZH_REPLY = re.compile(rf"回(?:复)?[:：\s]*(?:[{_QUOTES}]([^{_QUOTES}]{{1,10}})[{_QUOTES}]|([A-Za-z0-9]+)|(退订))")
# "Reply STOP to opt out", "Reply with 'QUIT'", "Text END to unsubscribe": "reply" first, because "text" may also
# be a noun earlier in the wording ("To stop text messages, reply STOP").
_EN_REPLY = (
    re.compile(rf"\breply\s+(?:with\s+)?[{_QUOTES}]?([A-Za-z0-9]+)", re.IGNORECASE),
    re.compile(rf"\btext\s+[{_QUOTES}]?([A-Za-z0-9]+)[{_QUOTES}]?\s+to\b", re.IGNORECASE),
)


def reply_keyword(body: str) -> str:
    """A reply (or a word) as a keyword: fullwidth forms folded (an input method's ＴＤ is TD), case and end marks
    ignored."""
    return unicodedata.normalize("NFKC", body).strip().strip("。.!！").upper()


def reply_word(wording: str) -> str | None:
    """The word an opt-out wording tells the customer to reply, as a keyword, or None when it names none."""
    folded = unicodedata.normalize("NFKC", wording)
    for pattern in (_ZH_REPLY, *_EN_REPLY):
        if found := pattern.search(folded):
            return reply_keyword(next(group for group in found.groups() if group))
    return None


def asks_to_opt_out(keyword: str) -> bool:
    """Whether a reply (as `reply_keyword` reads it) asks in a sentence to get no more messages."""
    for ask in OPT_OUT_ASKS:
        at = keyword.find(ask)
        while at != -1:
            before = keyword[max(0, at - 2) : at]
            # The asks that start with a negation ("别再发") carry their own; 退订 after one is declined.
            if ask[0] in "别不" or not any(before.endswith(neg) for neg in _NEGATIONS):
                return True
            at = keyword.find(ask, at + 1)
    return False


def store_opt_out_words(policy: FollowUpPolicy) -> frozenset[str]:
    """The words that opt out a customer of this store beyond the usual ones: its extra words and the words its
    wordings tell customers to reply."""
    named = (reply_word(policy.sms_opt_out_zh), reply_word(policy.sms_opt_out_en))
    return frozenset(reply_keyword(word) for word in policy.opt_out_words) | {word for word in named if word}


def is_opt_out(keyword: str, policy: FollowUpPolicy) -> bool:
    return keyword in OPT_OUT_WORDS or keyword in store_opt_out_words(policy) or asks_to_opt_out(keyword)


def is_opt_word(body: str, policy: FollowUpPolicy) -> bool:
    """Whether a reply, as it came, tells the store what to do with its messages (an opt-out by this store's words, an
    opt-in word) rather than answering one: a customer who texted STOP or START did not answer a campaign
    (retention.services.replies)."""
    keyword = reply_keyword(body)
    return keyword in OPT_IN_WORDS or is_opt_out(keyword, policy)
