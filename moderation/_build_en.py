"""Rebuild data/en.txt and data/leet.txt from better_profanity (a build step, not run time).

    .venv/bin/python -m moderation._build_en

better_profanity's word list is a list of everything that *might* offend, with
no weights: it holds slurs next to `organ`, `paddy` (rice fields!), `wang`,
`pollock` and `fat`. Every one of its words stays on our list so that we detect
at least what it detects, but each gets a severity; ordinary words get 0 (noted
for the moderator, never a reason to hold a post). Terms not listed below keep
the default severity 2. Our own additions (threats, slurs it lacks) follow.
The leet table is better_profanity's CHARS_MAPPING plus a few of ours.
"""

from __future__ import annotations

from pathlib import Path

SEVERITY = {
    0: """anus areole arian bestial breasts cow~girl cow~girls cowgirl cowgirls crotch dink dinks
        dong doofus dopey drunk dummy enlargement erect extacy extasy facial fat fingering flange
        foobar foreskin frigga gae gai gay gays gey ghay ghey glans god gonad gonads hell he11 hemp
        heroin herp herpes hiv hitler homey homoerotic hooch hookah hootch hooter hymen jerk
        jerked kill kinkyjesus asanchez knob labia len leper lesbians lesbos lmao loin loins lube
        lust lusting lusty mams masochist massa maxi menses menstruate menstruation meth muff
        murder naked napalm nappy nazism niggle nimrod nipple nipples nude nutbutter omg opiate
        opium oral orally organ ovary ovum ovums paddy pantie panties panty pastie pasty pawn pcp
        pee peepee penetrate penetration penial penile peyote phalli phallic playboy pms pollock
        poop pornography pot potty prig prostitute prude pubic pubis punky puss quicky racy
        rectal rectum rectus reefer reich revue rum rump sadism sandbar scantily screw screwed
        scrotum seaman seamen seduce semen sex sexual slave slope snatch sniper snuff sodom souse
        soused sperm steamy stoned strip strip~club stripclub stroke suck sucked sucking tampon
        tawdry teat teste testee testes testical testicle testis thrust tinkle titi toke toots
        tramp transsexual trashy ugly undies unwed urinal urine uterus uzi vagina valium viagra
        virgin vixen vodka vomit vulgar vulva wad wang wazoo wedgie weed weenie weewee weiner
        whiz willies willy womb woody xx yaoi yury hoar bdsm bondage dong erotic erotism
        pornos organ nazi nad guido""",
    1: """anal molest s-o-b s.o.b. s0b shag shagger shaggin shagging gringo nads 4r5e arrse arse aryan auto~erotic autoerotic beastial bimbo bimbos boner boob boobs booobs
        boooobs booooobs booooooobs booty~call busty cnut crap cunilingus cunillingus cunnilingus
        damn deep~throat dog~style doggie~style doggie-style doggiestyle doggin dogging doggy~style
        doggy-style doggystyle doosh duche ejaculate ejaculated ejaculates ejaculating
        ejaculatings ejaculation ejakulate erection f4nny fack fanny fanyy fart fartknocker feck
        fellate fellatio femdom fisted fisty floozy fondle freex frigg fubar futanari futanary
        g-spot gigolo gspot ganja gassyass gaysex god-dam god-damned godamn godamnit goddam
        goddammit goddamn goddamned hebe hentai herpy hoare hoer hooker hooters hore hoor horniest
        horny hotsex howtokill howtomurdep hump humped humping hussy inbred incest junkie junky
        kinbaku kinky kkk klan kondum kondums kooch kooches kootch kunilingus lech lmfao
        m45terbate ma5terb8 ma5terbate master-bate masterb8 masterbat* masterbat3 masterbate
        masterbating masterbation masterbations masturbate masturbating masturbation milf moron
        mutha muther ninny nob nooky nudes nympho orgasim orgasims orgasm orgasmic orgasms orgies
        orgy p0rn pecker pedophile pedophilia pedophiliac penis perversion phonesex pimp pimpis
        pinko piss pissed pisser pissers pisses pissin pissing porn porno pron prick pricks pube
        pusse queaf queef queer queero queers rape raped raping rapist raunch ruski sadist scag
        schizo screwing scroat scrog scrot scrote scrud scum shamedame shibari shibary shite shiz
        shota sissy skag sleaze sleazy smegma smut smutty spunk stfu stiffy stupid t1t
        teabagging teets teez terd three~some threesome thug tit tush turd v14gra v1gra vag
        voyeur w00se weirdo wench wtf xxx x-rated2g1c""",
    3: """carpet~muncher cunt cuntlicker cuntlicking cunts cokmuncher dog-fucker dyke dykes eatadick
        fag fagg fagged fagging faggs fags fagot fagots faig faigt fuck-tard fucktard gaylord
        gook gooks heeb heshe honky injun jap japs kraut lesbo lez lezbian lezbians lezbo lezbos
        lezzie lezzies lezzy moolie n1g negro nig paki pigfucker pillowbiter polack puto r-tard
        reetard retard retarded ritard rtard shemale she~male spac spic spick spik spiks tard
        titfuck whitey wigger wop coon""",
    4: """chink faggit faggitt faggot fudgepacker kike kikes kyke n1gg n1gga n1gger nigg nigg3r
        nigg4h nigga niggah niggas niggaz nigger niggers niglet wetback""",
}

EXTRA = """
# --- added by this project (not in better_profanity) ---
kill yourself = 4
kill urself = 4
kill your self = 4
go kill yourself = 4
kys = 3
die in a fire = 4
i will kill you = 4
i'll kill you = 4
i am going to kill you = 4
im going to kill you = 4
hope you die = 4
idiot = 1
idiots = 1
bollocks = 1
bugger = 1
asshat = 2
assholes = 2
bastards = 2
dipshit = 2
shitbag = 2
spaz = 2
spastic = 2
tranny = 3
retards = 3
faggots = 4
chinks = 4
towelhead = 4
raghead = 4
sandnigger = 4
"""

EXTRA_LEET = """
# --- added by this project ---
i: ! |
l: ! |
t: +
b: 8
g: 9
"""


def _severities() -> dict[str, int]:
    """{term: severity} from SEVERITY (a `~` in a listed term stands for a space)."""
    return {word.replace("~", " "): severity for severity, words in SEVERITY.items() for word in words.split()}


def build(out_dir: Path) -> None:
    import better_profanity
    from better_profanity import Profanity

    source = Path(better_profanity.__file__).parent / "profanity_wordlist.txt"
    version = getattr(better_profanity, "__version__", "0.7.0")
    severities = _severities()
    lines = [
        "# English word list, derived from better_profanity's profanity_wordlist.txt",
        f"# (better_profanity {version}, {sum(1 for _ in source.open())} lines) by moderation/_build_en.py,",
        "# with a severity per term (0 noted only .. 4 threats and hate; default 2).",
        "# Edit per instance through Filter.with_words / without_words, not here.",
    ]
    seen = set()
    for raw in source.read_text(encoding="utf-8").splitlines():
        term = raw.strip().lower()
        if not term or term in seen:
            continue
        seen.add(term)
        severity = severities.get(term, 2)
        lines.append(term if severity == 2 else f"{term} = {severity}")
    lines.append(EXTRA.strip())
    (out_dir / "en.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")

    mapping = Profanity().CHARS_MAPPING
    leet = ["# What may stand for a letter. From better_profanity's CHARS_MAPPING",
            "# (letters first, then what replaces them); '*' also stands for any letter."]
    for letter, subs in mapping.items():
        leet.append(f"{letter}: {' '.join(s for s in subs if s != letter)}")
    leet.append(EXTRA_LEET.strip())
    (out_dir / "leet.txt").write_text("\n".join(leet) + "\n", encoding="utf-8")


if __name__ == "__main__":
    build(Path(__file__).parent / "data")
