"""Interface words of pages and show notes, in the languages of the shows, and dates.

`t(lang, key)` gives the word for `key` (the English text) in `lang`, falling back
to the primary subtag ("pt-br" -> "pt") and then to English. `format_date` uses
babel's CLDR data (Georgian via the ``ka`` locale).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_format_date

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})

_CATALOGUE: dict[str, dict[str, str]] = {
    "ka": {
        "Sources": "წყაროები",
        "Chapters": "თავები",
        "Listen on Spotify": "მოუსმინეთ Spotify-ზე",
        "Watch on YouTube": "უყურეთ YouTube-ზე",
        "Read the article": "წაიკითხეთ სტატია",
        "Transcript": "ტრანსკრიპტი",
        "Subscribe": "გამოწერა",
        "RSS feed": "RSS არხი",
        "Apple Podcasts": "Apple Podcasts",
        "Spotify": "Spotify",
        "Episodes": "ეპიზოდები",
        "Episode": "ეპიზოდი",
        "Published": "გამოქვეყნდა",
        "Listen": "მოსმენა",
        "Skip to content": "მთავარ შინაარსზე გადასვლა",
        "Episode page": "ეპიზოდის გვერდი",
        "Video": "ვიდეო",
        "Show notes": "ეპიზოდის აღწერა",
        "Elsewhere": "სხვა პლატფორმებზე",
        "Download audio": "აუდიოს ჩამოტვირთვა",
        "Podcasts": "პოდკასტები",
        "Download transcript": "ტრანსკრიპტის ჩამოტვირთვა",
        "Home": "მთავარი",
        "Shows": "გადაცემები",
        "and {count} more sources": "და კიდევ {count} წყარო",
    },
    "ar": {
        "Sources": "المصادر",
        "Chapters": "الفصول",
        "Listen on Spotify": "استمع على Spotify",
        "Watch on YouTube": "شاهد على YouTube",
        "Read the article": "اقرأ المقال",
        "Transcript": "النص المكتوب",
        "Subscribe": "اشترك",
        "RSS feed": "موجز RSS",
        "Apple Podcasts": "Apple Podcasts",
        "Spotify": "Spotify",
        "Episodes": "الحلقات",
        "Episode": "الحلقة",
        "Published": "تاريخ النشر",
        "Listen": "استمع",
        "Skip to content": "انتقل إلى المحتوى",
        "Episode page": "صفحة الحلقة",
        "Video": "فيديو",
        "Show notes": "ملاحظات الحلقة",
        "Elsewhere": "على منصات أخرى",
        "Download audio": "تنزيل الملف الصوتي",
        "Podcasts": "البودكاست",
        "Download transcript": "تنزيل النص المكتوب",
        "Home": "الرئيسية",
        "Shows": "البرامج",
        "and {count} more sources": "و{count} من المصادر الأخرى",
    },
    "es": {
        "Sources": "Fuentes",
        "Chapters": "Capítulos",
        "Listen on Spotify": "Escuchar en Spotify",
        "Watch on YouTube": "Ver en YouTube",
        "Read the article": "Leer el artículo",
        "Transcript": "Transcripción",
        "Subscribe": "Suscribirse",
        "RSS feed": "Feed RSS",
        "Episodes": "Episodios",
        "Episode": "Episodio",
        "Published": "Publicado",
        "Listen": "Escuchar",
        "Skip to content": "Saltar al contenido",
        "Episode page": "Página del episodio",
        "Video": "Vídeo",
        "Show notes": "Notas del episodio",
        "Elsewhere": "En otras plataformas",
        "Download audio": "Descargar el audio",
        "Podcasts": "Pódcasts",
        "Download transcript": "Descargar la transcripción",
        "Home": "Inicio",
        "Shows": "Programas",
        "and {count} more sources": "y {count} fuentes más",
    },
    "fr": {
        "Sources": "Sources",
        "Chapters": "Chapitres",
        "Listen on Spotify": "Écouter sur Spotify",
        "Watch on YouTube": "Regarder sur YouTube",
        "Read the article": "Lire l’article",
        "Transcript": "Transcription",
        "Subscribe": "S’abonner",
        "RSS feed": "Flux RSS",
        "Episodes": "Épisodes",
        "Episode": "Épisode",
        "Published": "Date de publication",
        "Listen": "Écouter",
        "Skip to content": "Aller au contenu",
        "Episode page": "Page de l’épisode",
        "Video": "Vidéo",
        "Show notes": "Notes de l’épisode",
        "Elsewhere": "Ailleurs",
        "Download audio": "Télécharger l’audio",
        "Podcasts": "Podcasts",
        "Download transcript": "Télécharger la transcription",
        "Home": "Accueil",
        "Shows": "Émissions",
        "and {count} more sources": "et {count} autres sources",
    },
    "ru": {
        "Sources": "Источники",
        "Chapters": "Главы",
        "Listen on Spotify": "Слушать в Spotify",
        "Watch on YouTube": "Смотреть на YouTube",
        "Read the article": "Читать статью",
        "Transcript": "Расшифровка",
        "Subscribe": "Подписаться",
        "RSS feed": "RSS-лента",
        "Episodes": "Выпуски",
        "Episode": "Выпуск",
        "Published": "Опубликовано",
        "Listen": "Слушать",
        "Skip to content": "Перейти к содержанию",
        "Episode page": "Страница выпуска",
        "Video": "Видео",
        "Show notes": "Описание выпуска",
        "Elsewhere": "На других платформах",
        "Download audio": "Скачать аудио",
        "Podcasts": "Подкасты",
        "Download transcript": "Скачать расшифровку",
        "Home": "Главная",
        "Shows": "Подкасты",
        "and {count} more sources": "и другие источники ({count})",
    },
    "tr": {
        "Sources": "Kaynaklar",
        "Chapters": "Kısımlar",
        "Listen on Spotify": "Spotify’da dinle",
        "Watch on YouTube": "YouTube’da izle",
        "Read the article": "Makaleyi oku",
        "Transcript": "Döküm",
        "Subscribe": "Abone ol",
        "RSS feed": "RSS beslemesi",
        "Episodes": "Bölümler",
        "Episode": "Bölüm",
        "Published": "Yayınlanma tarihi",
        "Listen": "Dinle",
        "Skip to content": "İçeriğe geç",
        "Episode page": "Bölüm sayfası",
        "Video": "Video",
        "Show notes": "Bölüm notları",
        "Elsewhere": "Diğer platformlarda",
        "Download audio": "Sesi indir",
        "Podcasts": "Podcast’ler",
        "Download transcript": "Dökümü indir",
        "Home": "Ana sayfa",
        "Shows": "Programlar",
        "and {count} more sources": "ve {count} kaynak daha",
    },
}

#: Every key of the catalogue, in English (the fallback).
KEYS: tuple[str, ...] = tuple(_CATALOGUE["ka"])


def primary(lang: str) -> str:
    """The primary language subtag, lower case: "pt-BR" -> "pt"."""
    return lang.replace("_", "-").split("-")[0].lower()


def t(lang: str, key: str) -> str:
    """`key` (English) in `lang`; English when there is no translation."""
    lang = lang.replace("_", "-").lower()
    for code in (lang, primary(lang)):
        words = _CATALOGUE.get(code)
        if words and key in words:
            return words[key]
    return key


def direction(lang: str) -> str:
    """"rtl" for right-to-left scripts, else "ltr"."""
    return "rtl" if primary(lang) in RTL_LANGUAGES else "ltr"


@lru_cache(maxsize=64)
def locale(lang: str) -> Locale:
    """The babel locale for a BCP 47 tag, English when babel does not know it."""
    parts = lang.replace("_", "-").split("-")
    full = "_".join([parts[0].lower(), *(p.upper() if len(p) == 2 else p for p in parts[1:])])
    for tag in (full, primary(lang)):
        try:
            return Locale.parse(tag)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse("en")


def format_date(value: date | datetime, lang: str) -> str:
    """A long, localized date ("20 July 2025", "20 ივლისი, 2025")."""
    day = value.date() if isinstance(value, datetime) else value
    return str(_babel_format_date(day, format="long", locale=locale(lang)))
