"""A small newsroom for `companion pair`'s end-to-end tests: plain-text articles in five
languages (no title, no date line, no ids: only the file name's date), a decoy article that
has no video, two articles whose videos are a "part 1" and "part 2", and the channel's and
the show's catalogs in the sources' own formats (yt-dlp's `-j` lines, a Spotify "Get Show
Episodes" page, a Spotify-for-Creators-like RSS whose enclosures a local server serves)
with the decoys a real channel has: the same story in another language, a Short, a live
stream's recording, a weekly round-up."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

ARTICLES = {
    "episodes/2025-10-01-metro.txt": (
        "The Tbilisi metro opened Vazisubani, its first new station in eleven years, on "
        "Wednesday morning after four years of construction and two delays over the tunnel "
        "lining and the contractor's unpaid invoices.\n\n"
        "City hall says the station will carry 18,000 passengers a day and shorten the "
        "commute from the eastern districts by twenty minutes. Engineers had to pump "
        "groundwater from the shaft for months. The extension of the line to the airport, "
        "promised for 2028, still has no budget.\n"),
    "episodes/2025-10-02-vendimia.txt": (
        "La vendimia en Kajetia alcanzó este año un récord de 410.000 toneladas de uva, según "
        "el Ministerio de Agricultura de Georgia, pese a una primavera con heladas tardías "
        "que asustaron a los viticultores de todo el valle del Alazani.\n\n"
        "Los productores de Telavi y Kvareli dicen que los precios de compra bajaron un diez "
        "por ciento por el exceso de oferta. Las bodegas grandes compraron casi todo el "
        "saperavi, mientras que los pequeños viticultores buscan mercados en Polonia y "
        "China.\n"),
    "episodes/2025-10-03-parom.txt": (
        "В порту Батуми в понедельник открыли новый паромный терминал, который сможет "
        "принимать суда из Болгарии и Румынии круглый год, даже в зимние шторма на Черном "
        "море.\n\n"
        "Строительство терминала обошлось в 46 миллионов лари. Оператор порта рассчитывает "
        "на 120 тысяч пассажиров в год и на рост грузовых перевозок. Местные таксисты "
        "жалуются, что к терминалу пока нет нормальной дороги.\n"),
    "episodes/2025-10-04-mkinvari.txt": (
        "მყინვარწვერის გერგეტის მყინვარი ბოლო ათი წლის განმავლობაში 300 მეტრით შემცირდა, "
        "ამბობენ თბილისის სახელმწიფო უნივერსიტეტის მეცნიერები, რომლებმაც ზაფხულში "
        "მყინვარზე ექვსი კვირა გაატარეს.\n\n"
        "მკვლევრების თქმით, დნობა ყველაზე სწრაფად 2022 წლის შემდეგ მოხდა. ყაზბეგის "
        "მუნიციპალიტეტი მთის ბილიკებზე ახალ გამაფრთხილებელ ნიშნებს დგამს, რადგან "
        "ყინულის ნაპრალები მოგზაურებისთვის სახიფათო გახდა.\n"),
    "episodes/2025-10-05-qamh.txt": (
        "وصلت أول شحنة من القمح الكازاخستاني إلى ميناء باكو عبر بحر قزوين يوم الأحد، في "
        "إطار اتفاق جديد للنقل بين أذربيجان وكازاخستان يهدف إلى تنويع طرق التصدير.\n\n"
        "وتحمل السفينة 7200 طن من القمح ستنقل بالقطار إلى جورجيا ثم إلى تركيا. ويقول "
        "المسؤولون إن الممر الأوسط سيخفض تكلفة النقل بنسبة خمسة عشر في المئة مقارنة "
        "بالطريق الشمالي.\n"),
    "episodes/2025-10-06-letter.txt": (
        "A letter from the editor about how the newsroom will cover this autumn's local "
        "elections, and why our reporters will not publish exit polls before the count.\n\n"
        "We will staff forty polling stations, check every claim a candidate makes on air, "
        "and correct our own mistakes in the open, at the foot of each story.\n"),
    "episodes/2025-10-07-hearings.txt": (
        "Parliament's energy committee held two days of hearings on the Black Sea submarine "
        "power cable, questioning the ministry about its cost, its route and who will own "
        "it once it is built.\n\n"
        "Deputies asked why the feasibility study is still secret and whether Romania and "
        "Azerbaijan share the cost of the 1,100-kilometre cable. The ministry promised the "
        "study by December.\n"),
}

#: The articles a producer should see paired (slug -> (video id, RSS guid, seconds)).
PAIRED = {
    "metro": ("MetroTbs001", "show-metro", 2.0),
    "vendimia": ("VendimiaES5", "show-vendimia", 3.0),
    "parom": ("BatumiFer06", "show-parom", 4.0),
    "mkinvari": ("GlacierKa07", "show-mkinvari", 5.0),
    "qamh": ("WheatArab08", "show-qamh", 6.0),
}
DECOY = "letter"  # no video, no episode: unmatched
SPLIT = "hearings"  # part 1 and part 2 fit equally: ambiguous
SPOTIFY = {"metro": "5MetroSpotifyEpisode00", "vendimia": "5VendimiaSpotifyEpisod"}
DAY = datetime(2025, 10, 1, 9, tzinfo=UTC)


def _video(video_id: str, day: int, title: str, description: str, duration: float, *,
           language: str | None = None, live: str = "not_live", short: bool = False
           ) -> dict[str, object]:
    when = DAY + timedelta(days=day)
    url = (f"https://www.youtube.com/shorts/{video_id}" if short
           else f"https://www.youtube.com/watch?v={video_id}")
    info: dict[str, object] = {
        "id": video_id, "title": title, "description": description, "duration": duration,
        "upload_date": when.strftime("%Y%m%d"), "timestamp": int(when.timestamp()),
        "webpage_url": url, "channel": "Caucasus Newsroom", "extractor": "youtube",
        "_type": "video", "live_status": live, "availability": "public"}
    if language:
        info["language"] = language
    return info


VIDEOS = [
    _video("MetroTbs001", 0, "Vazisubani: Tbilisi's first new metro station in 11 years",
           "After four years of construction the Tbilisi metro opened Vazisubani station. "
           "City hall expects 18,000 passengers a day and a commute twenty minutes shorter "
           "from the eastern districts; the airport extension still has no budget.", 412,
           language="en"),
    _video("MetroRus002", 0, "Новая станция метро в Тбилиси: Вазисубани",
           "Тбилисское метро открыло станцию Вазисубани, первую за 11 лет. Мэрия ждет 18 "
           "тысяч пассажиров в день.", 398, language="ru"),
    _video("MetroShrt03", 0, "Vazisubani station in 40 seconds #shorts",
           "The Tbilisi metro's new station Vazisubani opens.", 40, short=True),
    _video("MetroLive04", 0, "LIVE: Vazisubani metro station opening ceremony",
           "Live from the opening of Vazisubani station of the Tbilisi metro, 18,000 "
           "passengers a day expected.", 3600, live="was_live"),
    _video("VendimiaES5", 1, "Kajetia: vendimia récord de 410.000 toneladas",
           "La cosecha de uva en Kajetia batió récords pese a las heladas tardías. Los "
           "precios bajaron un diez por ciento en Telavi y Kvareli; los pequeños "
           "viticultores buscan mercados en Polonia y China.", 515, language="es"),
    _video("BatumiFer06", 2, "Паромный терминал в Батуми открыт",
           "Новый паромный терминал в порту Батуми будет принимать паромы из Болгарии и "
           "Румынии круглый год. Стоимость 46 миллионов лари, 120 тысяч пассажиров в год.",
           466, language="ru"),
    _video("GlacierKa07", 4, "გერგეტის მყინვარი 300 მეტრით შემცირდა",
           "თბილისის სახელმწიფო უნივერსიტეტის მეცნიერებმა მყინვარწვერზე ექვსი კვირა "
           "გაატარეს: მყინვარი ათ წელიწადში 300 მეტრით შემცირდა, დნობა 2022 წლის შემდეგ "
           "აჩქარდა.", 530, language="ka"),
    _video("WheatArab08", 4, "أول شحنة قمح كازاخستاني تصل إلى باكو",
           "وصلت 7200 طن من القمح الكازاخستاني إلى ميناء باكو عبر بحر قزوين، وستنقل "
           "بالقطار إلى جورجيا وتركيا عبر الممر الأوسط.", 488, language="ar"),
    _video("CableHear01", 6, "Black Sea power cable hearings, part 1",
           "Parliament's energy committee questions the ministry about the Black Sea "
           "submarine power cable: its cost, its route, who will own it, and the secret "
           "feasibility study.", 1500, language="en"),
    _video("CableHear02", 7, "Black Sea power cable hearings, part 2",
           "Parliament's energy committee questions the ministry about the Black Sea "
           "submarine power cable: cost sharing with Romania and Azerbaijan, the route, and "
           "the feasibility study promised by December.", 1490, language="en"),
    _video("WeekRevw009", 5, "Week in review | 05.10.2025",
           "The week's news from the South Caucasus: metro, harvest, ferries, glaciers and "
           "wheat.", 900, language="en"),
]


@dataclass(frozen=True)
class ShowItem:
    guid: str
    day: int
    title: str
    description: str
    seconds: float


SHOW = [
    ShowItem("show-metro", 0, "A new metro station for Tbilisi's east",
             "Vazisubani, the Tbilisi metro's first new station in eleven years: 18,000 "
             "passengers a day, a shorter commute, and an airport line without a budget.", 2.0),
    ShowItem("show-vendimia", 1, "Récord de uva en Kajetia",
             "La vendimia de Kajetia llegó a 410.000 toneladas; bajan los precios en Telavi y "
             "Kvareli y los pequeños viticultores miran a Polonia y China.", 3.0),
    ShowItem("show-parom", 2, "Паром из Батуми в Болгарию и Румынию",
             "В Батуми открыли паромный терминал за 46 миллионов лари: 120 тысяч пассажиров "
             "в год и круглогодичные рейсы.", 4.0),
    ShowItem("show-mkinvari", 4, "დნება გერგეტის მყინვარი",
             "მეცნიერები ამბობენ, რომ მყინვარწვერის გერგეტის მყინვარი ათ წელიწადში 300 "
             "მეტრით შემცირდა.", 5.0),
    ShowItem("show-qamh", 4, "قمح كازاخستان يعبر قزوين",
             "أول شحنة من القمح الكازاخستاني، 7200 طن، تصل إلى باكو في طريقها إلى جورجيا "
             "وتركيا.", 6.0),
    ShowItem("show-cable-1", 6, "Power cable hearings, part 1",
             "The energy committee questions the ministry about the Black Sea submarine power "
             "cable: cost, route, ownership, the secret feasibility study.", 7.0),
    ShowItem("show-cable-2", 7, "Power cable hearings, part 2",
             "The energy committee questions the ministry about the Black Sea submarine power "
             "cable: Romania and Azerbaijan, the route, the study due in December.", 7.5),
]


def videos_jsonl() -> bytes:
    """The channel as `yt-dlp -j URL` prints it: one info dict a line."""
    return "".join(json.dumps(v, ensure_ascii=False) + "\n" for v in VIDEOS).encode()


def spotify_page() -> bytes:
    """One "Get Show Episodes" page: the two episodes the show has on Spotify."""
    by_guid = {s.guid: s for s in SHOW}
    items = []
    for slug, episode_id in SPOTIFY.items():
        item = by_guid[PAIRED[slug][1]]
        items.append({
            "id": episode_id, "type": "episode", "name": item.title,
            "description": item.description, "html_description": f"<p>{item.description}</p>",
            "duration_ms": int(item.seconds * 1000),
            "release_date": (DAY + timedelta(days=item.day)).strftime("%Y-%m-%d"),
            "release_date_precision": "day", "language": "en",
            "languages": [{"metro": "en", "vendimia": "es"}[slug]],
            "external_urls": {"spotify": f"https://open.spotify.com/episode/{episode_id}"},
            "uri": f"spotify:episode:{episode_id}", "explicit": False, "images": []})
    return json.dumps({"href": "https://api.spotify.com/v1/shows/x/episodes?offset=0&limit=50",
                       "items": items, "limit": 50, "next": None, "offset": 0,
                       "previous": None, "total": len(items)}, ensure_ascii=False).encode()


def show_rss(audio_url: str, sizes: dict[str, int] | None = None) -> bytes:
    """The show's own feed; `audio_url` has "{guid}" where each item's MP3 is served,
    `sizes` each MP3's length in bytes."""
    items = []
    for item in SHOW:
        when = format_datetime(DAY + timedelta(days=item.day, hours=6))
        seconds = int(item.seconds)
        size = (sizes or {}).get(item.guid, 0)
        items.append(
            f"<item><title>{escape(item.title)}</title>"
            f"<description><![CDATA[<p>{item.description}</p>]]></description>"
            f"<guid isPermaLink=\"false\">{item.guid}</guid><pubDate>{when}</pubDate>"
            f"<enclosure url=\"{escape(audio_url.format(guid=item.guid))}\" length=\"{size}\" "
            f"type=\"audio/mpeg\"/><itunes:duration>{seconds}</itunes:duration></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
            "<title>Caucasus Newsroom</title><link>https://newsroom.example/</link>"
            "<description>News from the South Caucasus.</description>"
            + "".join(items) + "</channel></rss>").encode()


def write_catalogs(folder: Path, audio_url: str,
                   sizes: dict[str, int] | None = None) -> list[Path]:
    """The three saved catalogs in `folder`: the channel, the Spotify page, the RSS."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"channel.jsonl": videos_jsonl(), "spotify.json": spotify_page(),
             "show.xml": show_rss(audio_url, sizes)}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return [folder / name for name in files]


FEED = """title = "Caucasus Newsroom"
description = "News from the South Caucasus, in five languages."
author = "Caucasus Newsroom"
language = "en"
[owner]
name = "Newsroom"
email = "desk@newsroom.example"
"""
