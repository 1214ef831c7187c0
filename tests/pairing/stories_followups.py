"""Harder decoys, written for the evaluation set: videos on the same subject as an article
(the same places, people and numbers) that are another story: a follow-up some days or
weeks later, an earlier report, an explainer; and one-off digests whose titles are their
own (not a series). Each: (language, the article it resembles, days from that article,
title, description)."""

FOLLOWUPS = [
    ("en", "en-port", 12, "Dredging begins at Poti port",
     "Dredgers started deepening the channel at Poti, the first step of the port's new "
     "deep-water berth. Work on the quay itself begins in spring."),
    ("en", "en-floods", 9, "Batumi after the floods: who pays for the damage?",
     "Ten days after the flash floods in Batumi, residents of the Korolistskali river banks "
     "are still waiting for compensation from city hall."),
    ("en", "en-harvest", -10, "Kakheti's grape harvest begins",
     "Farmers in Kakheti started picking grapes this week. Wineries near Telavi expect a "
     "large harvest after the April frost and set prices for Rkatsiteli."),
    ("en", "en-rail", 20, "Kazakhstan and Georgia sign a railway deal",
     "Kazakh and Georgian railway companies agreed to run a weekly container train to the "
     "Black Sea through the Baku-Tbilisi-Kars line."),
    ("en", "en-turnout", 3, "Gyumri's new mayor takes office",
     "The opposition candidate who won Gyumri in Armenia's local elections was sworn in as "
     "mayor and promised to repair the city's schools."),
    ("es", "es-puerto", 14, "Poti: empiezan los dragados del puerto",
     "Las dragas comenzaron a profundizar el canal del puerto de Poti, primer paso del "
     "nuevo muelle de aguas profundas."),
    ("es", "es-incendio", 10, "Borjomi: replantarán el bosque quemado",
     "El parque nacional de Borjomi-Kharagauli plantará 200.000 pinos en las hectáreas "
     "quemadas por el incendio de este verano."),
    ("es", "es-cosecha", -9, "Comienza la vendimia en Kajetia",
     "Los agricultores de Kajetia empezaron a recoger la uva; las bodegas de Telavi fijan "
     "los precios de la Rkatsiteli tras la helada de abril."),
    ("es", "es-metro", 25, "El metro de Tiflis sube el precio del billete",
     "El ayuntamiento de Tiflis subirá el billete de metro a un lari a partir de enero para "
     "financiar las nuevas estaciones de la línea verde."),
    ("ru", "ru-port", 13, "В порту Поти начали дноуглубление",
     "Земснаряды начали углублять канал порта Поти — первый этап строительства нового "
     "глубоководного причала."),
    ("ru", "ru-floods", -20, "Батуми готовится к сезону дождей",
     "Мэрия Батуми чистит ливневую канализацию у реки Королисцкали перед осенними "
     "дождями."),
    ("ru", "ru-tunnel", 30, "Рикотский перевал закрыт из-за снегопада",
     "Снегопад закрыл движение на Рикотском перевале; грузовики из Тбилиси в Батуми стоят "
     "в очереди у Хашури."),
    ("ru", "ru-airport", 18, "Кутаиси: лоукостер открывает рейсы в Берлин",
     "Лоукостер откроет из аэропорта Кутаиси рейсы в Берлин и Мюнхен; пассажиров в этом "
     "году будет больше миллиона."),
    ("ka", "ka-port", 12, "ფოთის პორტში ფსკერის გაღრმავება დაიწყო",
     "ფოთის პორტში ფსკერის გაღრმავება დაიწყო, ეს ახალი ღრმაწყლოვანი ნავმისადგომის "
     "პირველი ეტაპია."),
    ("ka", "ka-floods", 10, "ბათუმი წყალდიდობის შემდეგ: ვინ აანაზღაურებს ზარალს?",
     "წყალდიდობიდან ათი დღის შემდეგ კოროლისწყლის სანაპიროს მცხოვრებლები მერიისგან "
     "კომპენსაციას ელიან."),
    ("ka", "ka-metro", -15, "მეტროს ფასი თბილისში იზრდება",
     "თბილისის მერია მეტროს მგზავრობის ფასს ზრდის; ფული მწვანე ხაზის ახალ სადგურებს "
     "მოხმარდება."),
    ("ka", "ka-harvest", 20, "კახური ღვინის ექსპორტი ჩინეთში იზრდება",
     "კახეთის ღვინის ქარხნები ჩინეთში რქაწითელის ექსპორტს ზრდიან, ამბობს სამინისტრო."),
    ("ar", "ar-port", 15, "بدء أعمال التجريف في ميناء بوتي",
     "بدأت الحفارات تعميق القناة في ميناء بوتي الجورجي، وهي الخطوة الأولى لبناء الرصيف "
     "الجديد في المياه العميقة."),
    ("ar", "ar-floods", 8, "باتومي بعد السيول: السكان ينتظرون التعويضات",
     "بعد أسبوع من السيول ما زال سكان ضفاف نهر كوروليستسكالي في باتومي ينتظرون تعويضات "
     "البلدية."),
    ("ar", "ar-solar", -12, "أذربيجان توقع عقد محطة شمسية مع شركة إماراتية",
     "وقعت أذربيجان عقداً مع شركة إماراتية لبناء محطة شمسية قرب غاراداغ بقدرة 230 "
     "ميغاواط."),
    ("ar", "ar-gas", 16, "إيطاليا تطلب مزيداً من الغاز الأذربيجاني",
     "طلبت إيطاليا زيادة إمدادات الغاز الأذربيجاني عبر خط الأنابيب العابر للأدرياتيكي "
     "في الشتاء المقبل."),
    ("fa", "fa-port", 13, "لایروبی بندر پوتی آغاز شد",
     "لایروبی کانال بندر پوتی در گرجستان آغاز شد؛ این نخستین مرحله ساخت اسکله آب‌های عمیق "
     "است."),
    ("fa", "fa-quake", 2, "پس‌لرزه در لوری ارمنستان",
     "دو روز پس از زلزله ۵.۲ ریشتری، پس‌لرزه‌ای به بزرگی ۳.۸ وانادزور را لرزاند؛ خسارتی "
     "گزارش نشد."),
    ("fa", "fa-border", 22, "صف کامیون‌ها در آستارا کوتاه شد",
     "با شبانه‌روزی شدن گذرگاه مرزی آستارا، صف کامیون‌ها میان ایران و آذربایجان کوتاه‌تر "
     "شده است."),
    ("fa", "fa-caspian", -14, "کاهش آب دریای خزر بندر انزلی را نگران کرد",
     "مدیران بندر انزلی می‌گویند پایین آمدن آب خزر رفت و آمد کشتی‌ها را سخت کرده است."),
]

#: One-off digests, titles of their own: (language, date of, title, description).
DIGESTS = [
    ("en", "en-floods", 3, "Rain, grapes and ballots: our take on the Caucasus this week",
     "Batumi's floods and the evacuation of 214 residents, a record grape harvest in "
     "Kakheti, and low turnout in Armenia's local elections."),
    ("es", "es-incendio", 4, "Fuego, uvas y votos: lo que pasó en el Cáucaso",
     "El incendio de Borjomi y sus 400 hectáreas, la vendimia récord de Kajetia y la baja "
     "participación electoral en Armenia."),
    ("ru", "ru-floods", 4, "Вода, хлопок и пенсии: что случилось на Кавказе",
     "Наводнение в Батуми и 214 эвакуированных, засуха в Азербайджане и рост пенсий в "
     "Армении на десять процентов."),
    ("ka", "ka-floods", 4, "წყალი, ყურძენი და მეტრო: კავკასიის ამბები",
     "ბათუმის წყალდიდობა და 214 ევაკუირებული, კახეთის რეკორდული რთველი და მეტროს ახალი "
     "სადგურები ვაკეში."),
    ("ar", "ar-floods", 3, "سيول وغاز وممرات: ما جرى في القوقاز",
     "سيول باتومي وإجلاء 214 شخصاً، وصادرات الغاز الأذربيجاني إلى أوروبا، وشحنات الممر "
     "الأوسط عبر قزوين."),
    ("fa", "fa-quake", 4, "زلزله، خزر و مرز: رویدادهای قفقاز",
     "زلزله ۵.۲ ریشتری لوری، پایین آمدن آب دریای خزر و شبانه‌روزی شدن گذرگاه آستارا."),
]
