"""Synthetic, deterministic demo conversations for the dashboard (``manage.py seed_demo``).

Pure functions: everything comes from ``random.Random`` seeded with the given seed, so the same seed
always yields the same clients, session ids, message ids, texts, emotional arcs, milestones,
breakthroughs and notes. Nothing here talks to Redis or Django; ``seed_demo`` replays the steps
through the state manager.

The dialogues are composed from template fragments (work worries, family patterns, sleep, grief,
boundaries, loneliness). Every person in them is fictional; ids look like ``client-ava``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from sessions_app.domain import BreakthroughCategory, Emotion, Role

DEFAULT_SEED = 7
DEFAULT_CLIENTS = 4
DEMO_MODEL = "if-emotion-demo-1"
DEMO_AUTHOR = "demo therapist"

CLIENT_NAMES: tuple[str, ...] = (
    "ava",
    "ben",
    "chloe",
    "dev",
    "elena",
    "farid",
    "grace",
    "hugo",
    "iris",
    "jonas",
    "kemi",
    "leo",
)

# ----------------------------------------------------------------------------------------- steps


@dataclass(frozen=True)
class Say:
    """Append a message (``append_message``), optionally with the emotion it carries."""

    message_id: str
    role: Role
    content: str
    emotion: Emotion | None = None
    intensity: float | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class Feel:
    """The emotion classifier revises the current emotion (``update_emotion``)."""

    emotion: Emotion
    intensity: float
    confidence: float


@dataclass(frozen=True)
class Mark:
    """A milestone (``record_milestone``)."""

    description: str
    emotion: Emotion | None


@dataclass(frozen=True)
class Insight:
    """A breakthrough (``record_breakthrough``); evidence are ids of messages already said."""

    description: str
    category: BreakthroughCategory
    confidence: float
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Notes:
    """The therapist's working notes (``update_context_snapshot``), as (field, text) pairs."""

    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Close:
    """The chatbot ends the session (``close_session``)."""


Step = Say | Feel | Mark | Insight | Notes | Close


@dataclass(frozen=True)
class TimedStep:
    """A step and when it happens, as an offset from the start of its session."""

    offset: timedelta
    step: Step


@dataclass(frozen=True)
class DemoSession:
    user_id: str
    session_id: str
    model: str
    theme: str
    arc: tuple[Emotion, ...]
    started_ago: timedelta  # how long before "now" the session started (seed_demo back-dates)
    steps: tuple[TimedStep, ...]

    @property
    def messages(self) -> tuple[Say, ...]:
        return tuple(t.step for t in self.steps if isinstance(t.step, Say))

    @property
    def closed(self) -> bool:
        return any(isinstance(t.step, Close) for t in self.steps)

    @property
    def duration(self) -> timedelta:
        return self.steps[-1].offset if self.steps else timedelta(0)


@dataclass(frozen=True)
class DemoClient:
    user_id: str
    sessions: tuple[DemoSession, ...]


# ------------------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class Theme:
    key: str
    label: str
    focus: str
    subjects: tuple[str, ...]
    categories: tuple[BreakthroughCategory, ...]
    distress: tuple[str, ...]
    exploring: tuple[str, ...]
    breakthrough: tuple[str, ...]
    integrated: tuple[str, ...]
    next_steps: tuple[str, ...]

    def lines(self, stage: str) -> tuple[str, ...]:
        """The client's lines for a stage of the arc."""
        by_stage = {
            "distress": self.distress,
            "exploring": self.exploring,
            "breakthrough": self.breakthrough,
            "integrated": self.integrated,
        }
        return by_stage[stage]


C = BreakthroughCategory

THEMES: tuple[Theme, ...] = (
    Theme(
        key="work",
        label="Work stress and fear of failure",
        focus="Perfectionism and catastrophic thinking about performance",
        subjects=(
            "the quarterly review",
            "feedback from my manager",
            "the project deadline",
            "answering emails late at night",
        ),
        categories=(C.COGNITIVE_REFRAME, C.PATTERN_RECOGNITION, C.SELF_COMPASSION),
        distress=(
            "I keep replaying {subject} in my head and I'm sure I got everything wrong.",
            "Every time I think about {subject} my stomach drops. I can't switch off.",
            "I stayed late again because of {subject}, and it still doesn't feel like enough.",
            "Everyone says it went fine, but I can't shake the feeling that I'm about to be found out.",
        ),
        exploring=(
            "When I think about it, I've felt like this since school: a B felt like failing.",
            "Maybe it's less about {subject} and more about what I think it says about me.",
            "I only feel safe when everything is perfect, which is basically never.",
            "Someone at home used to check my homework twice. I think I still hear that when I work.",
        ),
        breakthrough=(
            "Oh. I'm not actually afraid of {subject}. I'm afraid of being a disappointment.",
            "I've been treating every piece of work like a verdict on whether I deserve to be there.",
            "Saying it out loud, it sounds so harsh. I would never talk to a friend like that.",
        ),
        integrated=(
            "I sent the draft on Friday without rewriting it a third time, and nothing terrible happened.",
            "When the worry about {subject} comes up now, I ask what a good-enough version looks like.",
            "I'm still nervous, but it feels more like weather passing than a flood.",
        ),
        next_steps=(
            "Send one piece of work at 'good enough' and note what actually happens.",
            "Stop checking email after 8 pm on three evenings this week.",
        ),
    ),
    Theme(
        key="family",
        label="Family patterns and old roles",
        focus="Recognising the caretaker role learned in childhood",
        subjects=(
            "the calls with my mother",
            "the family dinners",
            "my brother's constant crises",
            "going home for the holidays",
        ),
        categories=(C.PATTERN_RECOGNITION, C.RELATIONAL_INSIGHT, C.EMOTIONAL_RELEASE),
        distress=(
            "After {subject} I feel about twelve years old again, and I hate it.",
            "I dread {subject}. I spend the whole time managing everyone's mood.",
            "I said yes again when I meant no, and now I'm furious with myself.",
            "Nobody else seems to notice the tension. It's like I'm the only one holding it.",
        ),
        exploring=(
            "I was always the one who smoothed things over when the shouting started.",
            "I think I learned that if everyone else is okay, then I'm safe.",
            "It's strange: I'm the youngest, but I've always acted like the parent.",
            "When {subject} goes badly I assume it's my job to fix it.",
        ),
        breakthrough=(
            "I've been trying to earn a place in my own family. That's what this has been.",
            "It wasn't my job to keep everyone calm. I was a kid.",
            "I'm allowed to be sad that I never got to just be looked after.",
        ),
        integrated=(
            "I let a silence sit at dinner on Sunday instead of filling it. It was uncomfortable, and fine.",
            "I told my mother I could only talk for twenty minutes, and I kept to it.",
            "I still care about them. I just don't have to carry all of it.",
        ),
        next_steps=(
            "Keep the next family call to an agreed length and notice the guilt without acting on it.",
            "Write down three moments this week when you stepped back from fixing things.",
        ),
    ),
    Theme(
        key="sleep",
        label="Sleep and night-time rumination",
        focus="Wind-down routine and worry postponement",
        subjects=(
            "lying awake at three in the morning",
            "the racing thoughts at night",
            "dreading bedtime",
            "checking my phone in bed",
        ),
        categories=(C.SOMATIC_AWARENESS, C.BEHAVIORAL_COMMITMENT, C.COGNITIVE_REFRAME),
        distress=(
            "I'm running on four hours again. {Subject} is wearing me down.",
            "The minute my head hits the pillow, my brain starts listing everything that could go wrong.",
            "I'm so tired during the day that I snap at people, and then I lie awake feeling bad about it.",
            "I've tried everything for {subject}. Nothing works and I'm starting to panic about it.",
        ),
        exploring=(
            "I think I save all my worrying for the night because there's no time for it during the day.",
            "When I'm awake at night I tell myself tomorrow is ruined, and then I can't sleep at all.",
            "My body feels wired at bedtime, like it's waiting for something bad.",
            "I notice I reach for my phone the second I feel anything uncomfortable.",
        ),
        breakthrough=(
            "The fear of not sleeping is keeping me awake more than the worries are.",
            "My shoulders are up by my ears right now. I never noticed I hold tension like that.",
            "If I give the worries their own time in the evening, they might not need the night.",
        ),
        integrated=(
            "I tried the twenty-minute worry time after dinner. I slept through twice this week.",
            "When I wake up now I remind myself that resting still counts, and it's less frightening.",
            "The phone stays in the kitchen. The first night was hard; now it's a relief.",
        ),
        next_steps=(
            "Twenty minutes of scheduled worry time after dinner, written on paper.",
            "Phone charges outside the bedroom; slow breathing if awake for more than twenty minutes.",
        ),
    ),
    Theme(
        key="grief",
        label="Grief after a loss",
        focus="Making room for grief without judging its timeline",
        subjects=(
            "my grandmother's empty chair",
            "the anniversary coming up",
            "clearing out her flat",
            "hearing her favourite song",
        ),
        categories=(C.EMOTIONAL_RELEASE, C.EXISTENTIAL_INSIGHT, C.SELF_COMPASSION),
        distress=(
            "It's been months and {subject} still knocks the wind out of me.",
            "I thought I'd be better by now. Everyone else seems to have moved on.",
            "I keep myself busy so I don't have to feel it, but it catches me anyway.",
            "I didn't cry at the funeral and I feel guilty about that all the time.",
        ),
        exploring=(
            "She was the one person who never needed me to be anything.",
            "Maybe I haven't cried because I'm scared I won't be able to stop.",
            "When {subject} comes up, part of me still expects her to call.",
            "I'm angry at her for going, and then ashamed of being angry.",
        ),
        breakthrough=(
            "I miss her so much. I don't think I've let myself say that plainly before.",
            "Grief isn't me failing to cope. It's what loving her looks like now.",
            "There's no deadline on this. I can stop treating it like a test I'm failing.",
        ),
        integrated=(
            "I made her soup recipe on Sunday. I cried, and it felt like being with her.",
            "I'm planning something small for the anniversary instead of dreading it.",
            "Some days are heavy, but I'm not fighting it the way I was.",
        ),
        next_steps=(
            "Plan a small, personal ritual for the anniversary.",
            "Allow ten minutes a day to look at photos or write to her, without judging the feelings.",
        ),
    ),
    Theme(
        key="boundaries",
        label="Boundaries and saying no",
        focus="Assertive communication without guilt",
        subjects=(
            "my flatmate borrowing things",
            "a friend who always needs favours",
            "the extra shifts I keep accepting",
            "my partner planning every weekend",
        ),
        categories=(C.RELATIONAL_INSIGHT, C.BEHAVIORAL_COMMITMENT, C.SELF_COMPASSION),
        distress=(
            "I said yes to {subject} again and I'm exhausted and resentful.",
            "If I say no, I'm sure they'll think I'm selfish and drop me.",
            "I have no time left that's actually mine. It's all going to other people.",
            "I'm annoyed all the time and I don't even feel allowed to be annoyed.",
        ),
        exploring=(
            "I think I believe people only keep me around because I'm useful.",
            "Saying no feels physically hard, like my throat closes up.",
            "With {subject}, I agree before I've even checked how I feel.",
            "I've never seen anyone in my life say no kindly. I don't know what it looks like.",
        ),
        breakthrough=(
            "A boundary isn't a punishment. It's telling people how to be close to me.",
            "If a friendship only survives while I never say no, it isn't much of a friendship.",
            "I deserve the same consideration I keep giving everyone else.",
        ),
        integrated=(
            "I told my friend I couldn't help this weekend. She said 'no problem'. That was it.",
            "I'm practising 'let me check and get back to you' instead of an instant yes.",
            "I feel less resentful, which makes it easier to be generous when I choose to.",
        ),
        next_steps=(
            "Use 'let me check and get back to you' before agreeing to any new request this week.",
            "Say one kind, clear no and write down what happened afterwards.",
        ),
    ),
    Theme(
        key="loneliness",
        label="Loneliness after a move",
        focus="Rebuilding connection in small steps",
        subjects=(
            "eating dinner alone",
            "the group chat that went quiet",
            "weekends in the new city",
            "not knowing anyone at work",
        ),
        categories=(C.EXISTENTIAL_INSIGHT, C.BEHAVIORAL_COMMITMENT, C.SELF_COMPASSION),
        distress=(
            "{Subject} is the worst part of the week. The silence is so loud.",
            "Everyone back home has their own lives now. I feel forgotten.",
            "I scroll through photos of people together and feel like something is wrong with me.",
            "I moved here for a fresh start and I've never felt so invisible.",
        ),
        exploring=(
            "I wait for other people to reach out, because reaching out first feels like begging.",
            "I think I decided nobody here would like me before I even arrived.",
            "With {subject}, I tell myself it's fine, but it isn't really.",
            "I used to have friends without trying. I don't know how to start from nothing.",
        ),
        breakthrough=(
            "Being lonely doesn't mean I'm unlikeable. It means I'm new here.",
            "I've been protecting myself from rejection by never giving anyone the chance.",
            "I want a life here, not just a place to sleep. That matters to me.",
        ),
        integrated=(
            "I joined the Thursday running group. Two people said they'd see me next week.",
            "I messaged an old friend first and we talked for an hour.",
            "Weekends are still quiet, but they don't scare me the way they did.",
        ),
        next_steps=(
            "Go to the Thursday group twice more before judging whether it fits.",
            "Send one message first each week, to someone old or new.",
        ),
    ),
)

OPENERS: dict[Emotion, tuple[str, ...]] = {
    Emotion.NEUTRAL: ("Not much to report, really.", "It's been an okay week, I guess.", ""),
    Emotion.ANXIOUS: (
        "Sorry, my mind is all over the place today.",
        "I've been on edge since this morning.",
        "",
    ),
    Emotion.FRUSTRATED: ("I'm just so fed up.", "Same thing again this week.", ""),
    Emotion.RESISTANT: (
        "I don't really see the point of going over this again.",
        "Honestly, I almost cancelled today.",
        "",
    ),
    Emotion.EXPLORING: (
        "I've been thinking about what we talked about.",
        "Something came up that I wanted to look at.",
        "",
    ),
    Emotion.BREAKTHROUGH: ("Wait.", "Hang on, I think I just realised something.", ""),
    Emotion.INTEGRATED: ("I wanted to tell you how this week went.", "Something shifted a little.", ""),
    Emotion.HAPPY: ("Something good happened.", "I'm actually in a good mood today.", ""),
    # Labels of the clinically usual vocabulary (sessions_app.emotions), for the arcs below.
    Emotion("sad"): ("I've felt low all week.", "I cried in the car again this morning.", ""),
    Emotion("grieving"): (
        "It still doesn't feel real that she's gone.",
        "Some days I forget, then it hits me.",
        "",
    ),
    Emotion("lonely"): ("The evenings are the worst.", "Nobody has really asked how I am lately.", ""),
    Emotion("ashamed"): ("I almost didn't want to tell you this.", "I'm embarrassed even saying it.", ""),
    Emotion("guilty"): ("I keep thinking I should have done more.", "I let someone down again.", ""),
    Emotion("overwhelmed"): ("Everything is piling up at once.", "I don't know where to start today.", ""),
    Emotion("afraid"): ("I'm scared of how this is going to go.", "I woke up with that dread again.", ""),
    Emotion("hopeful"): (
        "I think things might be turning a corner.",
        "For once I'm looking forward to something.",
        "",
    ),
    Emotion("calm"): ("I feel steadier than last time.", "It's been a quieter week inside my head.", ""),
}

DETAILS: dict[str, tuple[str, ...]] = {
    "distress": (
        "My chest gets tight just typing this.",
        "I keep thinking I should be over it by now.",
        "I barely slept last night.",
        "",
        "",
    ),
    "exploring": (
        "It's strange to look at it from the outside.",
        "I'm not sure what to do with that yet.",
        "I've never really said that to anyone.",
        "",
    ),
    "breakthrough": (
        "I feel a bit shaky, but lighter.",
        "My eyes are stinging, and that's okay.",
        "It's like something clicked into place.",
        "",
    ),
    "integrated": (
        "It's not perfect, but it's different.",
        "I'm proud of that, actually.",
        "I want to keep practising this.",
        "",
    ),
}

# Lines any client might say at a stage, whatever the theme: they widen the long sessions' vocabulary.
GENERIC_LINES: dict[str, tuple[str, ...]] = {
    "distress": (
        "I don't even know where to start today.",
        "It's been a rough few days and I'm running on empty.",
        "I feel like I'm failing at everything at once.",
        "Part of me thinks I'm making a fuss about nothing.",
    ),
    "exploring": (
        "I think there's something underneath this I haven't looked at.",
        "I wonder why this hits me so much harder than it seems to hit other people.",
        "When you asked that, something tightened in me.",
        "I've always just assumed that's how I am. Maybe it isn't.",
    ),
    "breakthrough": (
        "I think I've been carrying this for years without knowing it had a name.",
        "It's like I've been looking at it from the wrong side all along.",
    ),
    "integrated": (
        "I noticed the old feeling come up this week and I didn't follow it.",
        "It still happens, but I recover faster.",
        "I've been a bit kinder to myself, and people around me seem to notice.",
    ),
}

# Short turns people take in any conversation.
FILLERS: tuple[str, ...] = (
    "Yes. That's exactly it.",
    "I guess so.",
    "Maybe. I'm not sure.",
    "Hmm. Give me a second with that.",
    "I don't know. Probably?",
    "That's a hard question.",
    "Okay. Yes.",
)

REPLIES: dict[str, tuple[str, ...]] = {
    "distress": (
        "That sounds exhausting. When you think about {subject}, what do you notice in your body?",
        "It makes sense that you feel on edge. What happens just before the worry starts?",
        "Thank you for telling me. It sounds like everything around {subject} has weighed on you this week.",
        "I can hear how much pressure you're under. What is the hardest part of it right now?",
        "Let's slow down for a moment. If the feeling had a volume from one to ten, where would it be?",
        "It sounds like you've been very alone with this. I'm glad you brought it here.",
        "Before we try to fix anything, can we just stay with how hard this is for a moment?",
    ),
    "exploring": (
        "I'm curious what {subject} brings up for you, underneath the situation itself.",
        "You said that quite quietly. What does that part of you need to hear?",
        "It sounds like there's an old rule here. If you wrote it down, what would it say?",
        "If {subject} felt a little lighter, what would be different for you?",
        "That's an important connection. How does it feel to notice it?",
        "Whose voice does that sound like, when you say it to yourself?",
    ),
    "breakthrough": (
        "That's a powerful thing to notice. Take a moment with it; there's no rush.",
        "You just put words to something you've been carrying for a long time.",
        "What you're describing is a pattern, not a flaw. Patterns can change.",
        "How does it feel to say that out loud here?",
        "I noticed your words slowed down just then. What's happening inside as you say it?",
    ),
    "integrated": (
        "That's real progress. What helped you do it differently this time?",
        "It sounds like you're giving yourself more room. How could you keep that going this week?",
        "Let's name one small step you'd like to try before we talk again.",
        "You handled that with a lot of care for yourself. What would you like to remember from today?",
        "Setbacks will come; what could you say to yourself when the old feeling returns?",
    ),
}

TRANSITION_MILESTONES: dict[str, tuple[str, ...]] = {
    "distress": (
        "Let the difficult feelings about {subject} come to the surface",
        "Named frustration about {subject} openly instead of holding it back",
    ),
    "exploring": (
        "Moved from describing {subject} to exploring where the reaction comes from",
        "Began tracing the feelings around {subject} back to earlier experiences",
    ),
    "breakthrough": (
        "Named the pattern behind {subject}",
        "Reached a new understanding of {subject}",
    ),
    "integrated": (
        "Began planning how to carry the insight into daily life",
        "Reported trying a new response to {subject}",
    ),
}

BREAKTHROUGH_TEXT: dict[BreakthroughCategory, str] = {
    C.PATTERN_RECOGNITION: "Recognised that the reaction to {subject} repeats a pattern learned early on",
    C.EMOTIONAL_RELEASE: "Let the sadness about {subject} be felt instead of pushed away",
    C.COGNITIVE_REFRAME: "Reframed {subject} from proof of failure to a survivable, ordinary setback",
    C.SELF_COMPASSION: "Spoke about {subject} with kindness instead of self-criticism for the first time",
    C.RELATIONAL_INSIGHT: "Saw how {subject} shapes the way they ask for, or avoid asking for, support",
    C.SOMATIC_AWARENESS: "Noticed tension rise and ease in the body as {subject} came up",
    C.EXISTENTIAL_INSIGHT: "Connected {subject} to what matters most and the life they want to build",
    C.BEHAVIORAL_COMMITMENT: "Committed to one concrete step around {subject} before the next conversation",
}

E = Emotion
ARCS: tuple[tuple[Emotion, ...], ...] = (
    (E.ANXIOUS, E.EXPLORING, E.BREAKTHROUGH, E.INTEGRATED),
    (E.RESISTANT, E.EXPLORING, E.BREAKTHROUGH, E.INTEGRATED),
    (E.FRUSTRATED, E.EXPLORING, E.BREAKTHROUGH, E.HAPPY),
    (E.NEUTRAL, E.ANXIOUS, E.EXPLORING, E.INTEGRATED),
    (E.RESISTANT, E.FRUSTRATED, E.EXPLORING),
    # With the clinically usual labels: grief and loneliness, shame and guilt, fear and overload.
    (Emotion("grieving"), Emotion("lonely"), E.EXPLORING, Emotion("hopeful")),
    (Emotion("ashamed"), Emotion("guilty"), E.EXPLORING, E.BREAKTHROUGH, Emotion("calm")),
    (Emotion("overwhelmed"), Emotion("afraid"), E.EXPLORING, Emotion("calm")),
    (Emotion("sad"), E.EXPLORING, Emotion("hopeful")),
)
# Not every session helps. Some end worse than they began or back where they started, so the demo's
# clients show setbacks as well as progress (the client page's trend rises as well as falls).
SETBACK_ARCS: tuple[tuple[Emotion, ...], ...] = (
    (E.EXPLORING, E.FRUSTRATED, Emotion("overwhelmed")),
    (Emotion("hopeful"), Emotion("sad"), Emotion("lonely")),
    (E.ANXIOUS, E.EXPLORING, E.ANXIOUS),
)
# The share of the conversation each phase takes, by the phase's stage.
STAGE_WEIGHT = {"distress": 3, "exploring": 4, "breakthrough": 2, "integrated": 3}


def stage_of(emotion: Emotion) -> str:
    if emotion == Emotion.EXPLORING:
        return "exploring"
    if emotion == Emotion.BREAKTHROUGH:
        return "breakthrough"
    if emotion in (Emotion.INTEGRATED, Emotion.HAPPY, "hopeful", "calm"):
        return "integrated"
    return "distress"


# ------------------------------------------------------------------------------------ generators


def client_id(index: int) -> str:
    """``client-ava``, ``client-ben``, ... then ``client-ava2`` once the names run out."""
    name = CLIENT_NAMES[index % len(CLIENT_NAMES)]
    round_ = index // len(CLIENT_NAMES)
    return f"client-{name}{round_ + 1 if round_ else ''}"


def session_id(user_id: str, number: int) -> str:
    return f"demo-{user_id.removeprefix('client-')}-{number}"


def message_id(number: int) -> str:
    return f"m-{number}"


_SECOND_PERSON = {"my": "your", "I": "you", "me": "you", "I'm": "you're", "myself": "yourself"}
_THIRD_PERSON = {"my": "their", "I": "they", "me": "them", "I'm": "they're", "myself": "themselves"}


def _person(subject: str, table: dict[str, str]) -> str:
    """Re-voice a subject written by the client ("my mother") for the therapist ("your mother")."""
    return " ".join(table.get(word, word) for word in subject.split(" "))


def second_person(subject: str) -> str:
    return _person(subject, _SECOND_PERSON)


def third_person(subject: str) -> str:
    return _person(subject, _THIRD_PERSON)


def _fill(template: str, subject: str) -> str:
    return template.replace("{subject}", subject).replace("{Subject}", subject[:1].upper() + subject[1:])


def _sentence(parts: Sequence[str]) -> str:
    return " ".join(p for p in parts if p)


class Deck:
    """Draws lines without repeats until all were used, then reshuffles (less repetitive dialogue)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._piles: dict[tuple[str, ...], list[str]] = {}

    def draw(self, lines: tuple[str, ...]) -> str:
        pile = self._piles.get(lines)
        if not pile:
            pile = list(lines)
            self._rng.shuffle(pile)
            self._piles[lines] = pile
        return pile.pop()


def _level(rng: random.Random, low: float, high: float) -> float:
    return round(rng.uniform(low, high), 2)


INTENSITY = {
    "distress": (0.6, 0.9),
    "exploring": (0.4, 0.65),
    "breakthrough": (0.7, 0.95),
    "integrated": (0.3, 0.55),
}


def user_message(
    rng: random.Random, deck: Deck, theme: Theme, emotion: Emotion, subject: str, *, opening: bool
) -> str:
    """A client's turn: a theme line (or a generic line, or a short filler) with an opener and detail."""
    stage = stage_of(emotion)
    roll = rng.random()
    if not opening and roll < 0.12:
        return deck.draw(FILLERS)
    lines = theme.lines(stage) if opening or roll < 0.72 else GENERIC_LINES[stage]
    return _sentence(
        [
            deck.draw(OPENERS[emotion]) if opening or rng.random() < 0.2 else "",
            _fill(deck.draw(lines), subject),
            deck.draw(DETAILS[stage]),
        ],
    )


def assistant_message(rng: random.Random, deck: Deck, emotion: Emotion, subject: str) -> str:
    """A therapist-like reply, sometimes two sentences, speaking to the client ("your ...")."""
    stage = stage_of(emotion)
    yours = second_person(subject)
    first = _fill(deck.draw(REPLIES[stage]), yours)
    if rng.random() < 0.35:
        return f"{first} {_fill(deck.draw(REPLIES[stage]), yours)}"
    return first


def _phase_starts(arc: Sequence[Emotion], pairs: int) -> list[int]:
    """Index of the first user/assistant pair of each phase (every phase gets at least one pair)."""
    weights = [STAGE_WEIGHT[stage_of(e)] for e in arc]
    total = sum(weights)
    starts: list[int] = []
    acc = 0
    for position, weight in enumerate(weights):
        start = round(acc * pairs / total)
        latest = pairs - len(weights) + position  # leave at least one pair for each later phase
        starts.append(min(max(start, starts[-1] + 1 if starts else 0), latest))
        acc += weight
    return starts


def generate_session(
    rng: random.Random,
    *,
    user_id: str,
    number: int,
    message_count: int,
    theme: Theme,
    arc: tuple[Emotion, ...],
    started_ago: timedelta,
    closed: bool,
) -> DemoSession:
    """One session: ``message_count`` alternating user/assistant messages and the events between."""
    pairs = max(len(arc), message_count // 2)
    starts = _phase_starts(arc, pairs)
    subject = rng.choice(theme.subjects)
    deck = Deck(rng)
    steps: list[TimedStep] = []
    clock = timedelta(0)
    said = 0
    phase_user_ids: list[str] = []
    had_breakthrough = False

    def add(step: Step, *, after: tuple[int, int] = (2, 8)) -> None:
        nonlocal clock
        clock += timedelta(seconds=rng.randint(*after))
        steps.append(TimedStep(clock, step))

    for pair in range(pairs):
        phase = max(i for i, start in enumerate(starts) if start <= pair)
        emotion = arc[phase]
        stage = stage_of(emotion)
        phase_end = starts[phase + 1] if phase + 1 < len(starts) else pairs
        first_of_phase = pair == starts[phase]
        if first_of_phase:
            phase_user_ids = []
        if rng.random() < 0.25:
            subject = rng.choice(theme.subjects)

        # The client speaks; the emotion travels with the message at each turn of the arc.
        said += 1
        uid = message_id(said)
        phase_user_ids.append(uid)
        low, high = INTENSITY[stage]
        tagged = first_of_phase or rng.random() < 0.12
        add(
            Say(
                message_id=uid,
                role=Role.USER,
                content=user_message(rng, deck, theme, emotion, subject, opening=first_of_phase),
                emotion=emotion if tagged else None,
                intensity=_level(rng, low, high) if tagged else None,
                confidence=_level(rng, 0.6, 0.95) if tagged else None,
            ),
            after=(25, 150),
        )
        if first_of_phase and phase > 0:
            add(Mark(_fill(rng.choice(TRANSITION_MILESTONES[stage]), third_person(subject)), emotion))

        # The breakthrough itself, with the client's words in this phase as evidence.
        if stage == "breakthrough" and pair == min(starts[phase] + 1, phase_end - 1):
            category = rng.choice(theme.categories)
            add(
                Insight(
                    description=_fill(BREAKTHROUGH_TEXT[category], third_person(subject)),
                    category=category,
                    confidence=_level(rng, 0.72, 0.96),
                    evidence=tuple(phase_user_ids[-3:]),
                )
            )
            had_breakthrough = True

        said += 1
        add(
            Say(message_id(said), Role.ASSISTANT, assistant_message(rng, deck, emotion, subject)),
            after=(10, 45),
        )

        # Half-way through a phase the classifier revises its reading.
        if pair == (starts[phase] + phase_end) // 2 and not first_of_phase:
            add(Feel(emotion, _level(rng, low, high), _level(rng, 0.55, 0.9)))
        # Half-way through the session the therapist sets the theme and focus.
        if pair == pairs // 2:
            add(Notes((("current_theme", theme.label), ("therapeutic_focus", theme.focus))), after=(5, 30))

    final = arc[-1]
    if stage_of(final) == "integrated":
        step_text = rng.choice(theme.next_steps)
        add(Mark(f"Agreed on a next step: {step_text[:1].lower()}{step_text[1:].rstrip('.')}", final))
        if had_breakthrough and rng.random() < 0.5:
            add(
                Insight(
                    description=_fill(BREAKTHROUGH_TEXT[C.BEHAVIORAL_COMMITMENT], third_person(subject)),
                    category=C.BEHAVIORAL_COMMITMENT,
                    confidence=_level(rng, 0.7, 0.9),
                    evidence=tuple(phase_user_ids[-2:]),
                )
            )
    if closed:
        add(Close(), after=(30, 120))
    add(Notes(_closing_notes(rng, theme, arc, subject)), after=(60, 600))
    return DemoSession(
        user_id=user_id,
        session_id=session_id(user_id, number),
        model=DEMO_MODEL,
        theme=theme.key,
        arc=arc,
        started_ago=started_ago,
        steps=tuple(steps),
    )


def _closing_notes(
    rng: random.Random, theme: Theme, arc: Sequence[Emotion], subject: str
) -> tuple[tuple[str, str], ...]:
    middle = ", then ".join(e.value for e in arc[1:-1]) or "steady"
    subject = third_person(subject)
    summary = (
        f"Arrived {arc[0].value} about {subject}; moved through {middle}; ended the session {arc[-1].value}."
    )
    step_text = rng.choice(theme.next_steps)
    notes = "\n".join(
        [
            f"- Theme: {theme.label.lower()}.",
            f"- Working on: {theme.focus.lower()}.",
            f"- Agreed next step: {step_text}",
            f"- Follow up next time on {subject}.",
        ]
    )
    return (("client_state_summary", summary), ("session_notes", notes))


def generate_client(seed: int, index: int, *, sessions: int | None = None, window: int = 100) -> DemoClient:
    """One client's sessions, oldest first; every session but the latest is closed.

    Each client has its own generator (seeded from ``seed`` and its index), so adding clients never
    changes the ones before. The first client's first session is longer than ``window`` so the
    overflow list is exercised.
    """
    rng = random.Random(f"if-emotion-demo:{seed}:{index}")  # noqa: S311 -- reproducible demo text, not secrets
    user_id = client_id(index)
    count = sessions if sessions is not None else rng.choice((2, 3))
    themes = rng.sample(THEMES, k=min(2, len(THEMES)))
    result: list[DemoSession] = []
    for number in range(1, count + 1):
        long = index == 0 and number == 1
        if long:
            length = window + rng.randint(30, 60)
            arc = ARCS[0]
        else:
            length = rng.randint(12, 32) * 2
            arc = rng.choice(ARCS + SETBACK_ARCS)
        result.append(
            generate_session(
                rng,
                user_id=user_id,
                number=number,
                message_count=length + length % 2,
                theme=themes[0] if number < count or len(themes) == 1 else themes[1],
                arc=arc,
                started_ago=timedelta(0),
                closed=number < count,
            )
        )
    # Back in time from "now": the latest session ended minutes ago, each earlier one ended an hour or
    # a few before the next began. All of it lies within the last day, so nothing is older than the
    # archiver's delete-after-close delay when it is seeded.
    end_ago = timedelta(minutes=rng.randint(10, 60))
    for position in range(len(result) - 1, -1, -1):
        session = result[position]
        started_ago = end_ago + session.duration
        result[position] = replace(session, started_ago=started_ago)
        end_ago = started_ago + timedelta(minutes=rng.randint(45, 180))
    return DemoClient(user_id=user_id, sessions=tuple(result))


def generate_demo(
    seed: int = DEFAULT_SEED,
    *,
    clients: int = DEFAULT_CLIENTS,
    sessions_per_client: int | None = None,
    window: int = 100,
) -> tuple[DemoClient, ...]:
    """The whole demo data set. ``sessions_per_client=None`` gives each client 2 or 3 sessions."""
    if clients < 1:
        raise ValueError("clients must be at least 1")
    if sessions_per_client is not None and sessions_per_client < 1:
        raise ValueError("sessions_per_client must be at least 1")
    if window < 1:
        raise ValueError("window must be at least 1")
    return tuple(
        generate_client(seed, index, sessions=sessions_per_client, window=window) for index in range(clients)
    )
