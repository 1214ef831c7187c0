"""English and Spanish stories of the evaluation set (written for it; see make.py).

Each story: the article (title, body), its video (title, description) or None, and the
traps around it (see make.py for what each trap adds to the catalogs)."""

STORIES = [
    # ---------------------------------------------------------------- English
    dict(key="en-port", lang="en", fmt="md", traps=("link", "show_differ"),
         title="Poti port expansion to double container capacity",
         body="The operator of Poti's sea port said on Monday that a new deep-water berth "
              "will double the port's container capacity by 2027. Construction of the 340-metre "
              "quay begins next spring, and dredging will let ships of up to 9,000 containers "
              "call at the Georgian coast. Freight forwarders welcomed the plan but warned that "
              "the railway to the port must be upgraded as well.",
         video=("Poti port to double container capacity with new berth",
                "A deep-water berth at Poti will double container capacity by 2027, the port "
                "operator says. We visited the quay where dredging starts next spring."),
         show_title="Why Georgia is betting on a bigger Black Sea port"),
    dict(key="en-harvest", lang="en", fmt="txt", traps=("short",),
         title="Kakheti grape harvest breaks record despite late frost",
         body="Farmers in Kakheti picked more than 330,000 tonnes of grapes this autumn, the "
              "largest harvest on record, the agriculture ministry said. A late frost in April "
              "had damaged vineyards near Telavi, but a warm September made up for the losses. "
              "Wineries paid between 1.2 and 1.6 lari per kilogram for Rkatsiteli grapes.",
         video=("Record grape harvest in Kakheti",
                "Kakheti's farmers brought in over 330,000 tonnes of grapes, a record, after a "
                "frost in April and a warm September. Wineries around Telavi tell us about "
                "prices for Rkatsiteli.")),
    dict(key="en-floods", lang="en", fmt="txt", traps=("live", "before"),
         title="Flash floods force evacuations in Batumi",
         body="Heavy rain flooded several districts of Batumi overnight, and rescuers "
              "evacuated 214 residents from houses along the Korolistskali river. The city "
              "closed schools for two days while pumps cleared the streets. Forecasters expect "
              "more rain on the Adjara coast until the weekend.",
         video=("Batumi floods: 214 residents evacuated",
                "Overnight rain flooded districts of Batumi. Rescuers moved 214 people from "
                "homes by the Korolistskali river and schools are closed for two days.")),
    dict(key="en-turnout", lang="en", fmt="md", traps=("reupload",),
         title="Low turnout in Armenia's local elections",
         body="Only 38 percent of voters cast a ballot in Sunday's local elections in Armenia, "
              "the central electoral commission said. The ruling party won in most of the 23 "
              "communities that voted, while opposition candidates took the mayor's office in "
              "Gyumri. Observers reported queues at few polling stations and calm voting.",
         video=("Armenia local elections: turnout 38 percent",
                "Armenia held local elections in 23 communities on Sunday. Turnout was 38 "
                "percent; the opposition won Gyumri's mayoralty.")),
    dict(key="en-rail", lang="en", fmt="txt", traps=("parts",),
         title="Freight on the Baku-Tbilisi-Kars railway triples",
         body="Freight carried on the Baku-Tbilisi-Kars railway tripled in the first nine "
              "months of the year, reaching 1.4 million tonnes. Railway officials credit "
              "shipments from Kazakhstan and China that avoid routes through Russia. The line's "
              "capacity is to grow to five million tonnes once the Akhalkalaki terminal is "
              "modernised.",
         video=("Baku-Tbilisi-Kars railway: the middle corridor's busy line",
                "Freight on the Baku-Tbilisi-Kars line tripled to 1.4 million tonnes this year "
                "as cargo from Kazakhstan and China avoids Russia. We ride to Akhalkalaki.")),
    dict(key="en-glacier", lang="en", fmt="md", traps=("desc_only",),
         title="Svaneti's glaciers lose a fifth of their area in a decade",
         body="Glaciers in Georgia's Svaneti region have shrunk by about twenty percent since "
              "2014, according to a survey by Tbilisi State University. The Chalaadi glacier "
              "near Mestia retreated by more than 200 metres. Scientists warn that summer water "
              "for the Enguri river and its hydropower plant will decline.",
         video=("What happens when the ice is gone?",
                "A university survey finds that Svaneti's glaciers have lost about twenty "
                "percent of their area since 2014; Chalaadi near Mestia retreated 200 metres, "
                "threatening water for the Enguri hydropower plant.")),
    dict(key="en-startup", lang="en", fmt="txt", traps=("flat",),
         title="Tbilisi fintech startup raises 12 million dollars",
         body="A Tbilisi-based payments startup raised 12 million dollars from investors in "
              "London and Warsaw to expand into Armenia and Uzbekistan. The company processes "
              "card payments for small shops and says it serves 40,000 merchants. It plans to "
              "hire 150 engineers in Georgia next year.",
         video=("Tbilisi fintech startup raises $12 million to expand",
                "The payments startup serving 40,000 shops raised 12 million dollars from "
                "investors in London and Warsaw.")),
    dict(key="en-museum", lang="en", fmt="txt", traps=("none",),
         title="Georgian National Museum reopens its treasury hall",
         body="The Georgian National Museum reopened its treasury hall after two years of "
              "renovation. Visitors can again see gold jewellery from Vani and Colchis, now in "
              "new cases with climate control. Entry is free on the first Sunday of every "
              "month.",
         video=None),
    dict(key="en-drought", lang="en", fmt="md", traps=("xlang",),
         title="Drought cuts cotton yields in central Azerbaijan",
         body="A dry summer cut cotton yields in Azerbaijan's Aran region by almost a third, "
              "farmers in Saatli and Sabirabad say. Irrigation canals fed by the Kura river ran "
              "low in July and August. The government promised subsidies for seeds next "
              "season.",
         video=None,
         also={"ka": ("გვალვამ აზერბაიჯანში ბამბის მოსავალი შეამცირა",
                      "საათლისა და საბირაბადის ფერმერები ამბობენ, რომ მშრალმა ზაფხულმა "
                      "ბამბის მოსავალი თითქმის მესამედით შეამცირა.")}),
    dict(key="en-bridge", lang="en", fmt="txt", traps=("show_rss_only",),
         title="New pedestrian bridge opens over the Mtkvari in Tbilisi",
         body="A new pedestrian bridge linking Ortachala and the old town opened on Saturday. "
              "The 180-metre bridge has bicycle lanes and lifts at both ends. City hall says "
              "it will take pressure off the Metekhi crossing, where traffic jams are common.",
         video=("Tbilisi's new bridge for walkers and cyclists",
                "A 180-metre bridge between Ortachala and the old town opened on Saturday, "
                "with bicycle lanes and lifts.")),
    dict(key="en-tourism", lang="en", fmt="md", traps=("also",),
         title="Georgia expects a record seven million visitors",
         body="Georgia's tourism administration expects a record seven million international "
              "visitors this year, up 9 percent. Arrivals from Israel, Poland and India grew "
              "fastest, while Kazbegi and Batumi remain the most visited places. Hoteliers "
              "complain of a shortage of trained staff.",
         video=("Georgia heads for record 7 million tourists",
                "Seven million foreign visitors are expected this year, most of them going to "
                "Kazbegi and Batumi; hotels say they lack trained staff."),
         also={"es": ("Georgia espera un récord de siete millones de turistas",
                      "La administración de turismo prevé siete millones de visitantes "
                      "extranjeros; Kazbegi y Batumi siguen siendo los destinos preferidos.")}),
    # ---------------------------------------------------------------- Spanish
    dict(key="es-puerto", lang="es", fmt="md", traps=("link", "show_differ"),
         title="El puerto de Poti duplicará su capacidad de contenedores",
         body="El operador del puerto georgiano de Poti anunció que un nuevo muelle de aguas "
              "profundas duplicará la capacidad de contenedores antes de 2027. Las obras "
              "comenzarán en primavera y permitirán la llegada de buques de hasta 9.000 "
              "contenedores. Los transitarios celebran el plan, pero piden modernizar también "
              "el ferrocarril.",
         video=("Poti duplicará su capacidad con un nuevo muelle",
                "Un muelle de aguas profundas permitirá a Poti duplicar su capacidad de "
                "contenedores en 2027, según el operador del puerto."),
         show_title="Georgia apuesta por un gran puerto en el mar Negro"),
    dict(key="es-cosecha", lang="es", fmt="txt", traps=("short",),
         title="Récord de vendimia en Kajetia pese a las heladas",
         body="Los agricultores de Kajetia recogieron más de 330.000 toneladas de uva este "
              "otoño, la mayor cosecha registrada, según el ministerio de agricultura. Una "
              "helada tardía en abril dañó viñedos cerca de Telavi, pero un septiembre cálido "
              "compensó las pérdidas. Las bodegas pagaron hasta 1,6 laris por kilo de uva "
              "Rkatsiteli.",
         video=("Vendimia récord en Kajetia",
                "Más de 330.000 toneladas de uva: Kajetia vive su mejor vendimia tras la "
                "helada de abril. Hablamos con bodegas de Telavi sobre los precios.")),
    dict(key="es-elecciones", lang="es", fmt="txt", traps=("reupload",),
         title="Baja participación en las elecciones locales de Armenia",
         body="Solo el 38 por ciento de los electores votó el domingo en las elecciones "
              "municipales de Armenia, informó la comisión electoral central. El partido "
              "gobernante ganó en la mayoría de las 23 comunidades, mientras que la oposición "
              "se quedó con la alcaldía de Gyumri.",
         video=("Armenia: participación del 38% en las municipales",
                "Elecciones locales en 23 comunidades armenias; la oposición gana en Gyumri y "
                "la participación se queda en el 38 por ciento.")),
    dict(key="es-incendio", lang="es", fmt="md", traps=("live", "before"),
         title="Un incendio forestal arrasa 400 hectáreas en Borjomi",
         body="Un incendio forestal quemó unas 400 hectáreas de bosque de pinos en el parque "
              "nacional de Borjomi-Kharagauli. Helicópteros de Turquía y Azerbaiyán ayudaron a "
              "los bomberos georgianos a controlar las llamas tras tres días. Las autoridades "
              "investigan si el fuego fue provocado.",
         video=("Incendio en Borjomi: 400 hectáreas de bosque quemadas",
                "Bomberos georgianos, con helicópteros de Turquía y Azerbaiyán, controlaron el "
                "fuego en el parque nacional de Borjomi-Kharagauli tras tres días.")),
    dict(key="es-metro", lang="es", fmt="txt", traps=("parts",),
         title="Tiflis ampliará el metro hasta la universidad",
         body="El ayuntamiento de Tiflis aprobó la construcción de dos nuevas estaciones de "
              "metro que llevarán la línea verde hasta el campus universitario de Vake. El "
              "proyecto costará 180 millones de laris y debería terminar en 2028. Los vecinos "
              "temen años de obras en la avenida Chavchavadze.",
         video=("El metro de Tiflis llegará a Vake",
                "Dos estaciones nuevas prolongarán la línea verde del metro de Tiflis hasta la "
                "universidad; costarán 180 millones de laris.")),
    dict(key="es-lago", lang="es", fmt="md", traps=("desc_only",),
         title="El lago Paravani pierde agua por tercer verano consecutivo",
         body="El nivel del lago Paravani, el mayor de Georgia, bajó casi un metro este "
              "verano, según la agencia de medio ambiente. Los pescadores de Ninotsminda "
              "cuentan que las truchas escasean. Los científicos atribuyen la caída a un "
              "invierno con poca nieve y al riego de las patatas.",
         video=("¿Adónde se va el agua?",
                "El mayor lago de Georgia, Paravani, bajó casi un metro en verano; en "
                "Ninotsminda los pescadores ya no encuentran truchas.")),
    dict(key="es-vino", lang="es", fmt="txt", traps=("flat",),
         title="Las exportaciones de vino georgiano a China crecen un 40%",
         body="Georgia exportó 9 millones de botellas de vino a China en los primeros nueve "
              "meses del año, un 40 por ciento más que en 2024. El vino en ánfora, el qvevri, "
              "atrae a los compradores de Shanghái. Rusia sigue siendo el primer mercado, "
              "aunque su peso disminuye.",
         video=("Vino georgiano en China: exportaciones suben un 40%",
                "Nueve millones de botellas de vino georgiano llegaron a China este año.")),
    dict(key="es-festival", lang="es", fmt="md", traps=("none",),
         title="El festival de jazz de Batumi celebra su vigésima edición",
         body="El festival de jazz de Batumi celebró su vigésima edición con músicos de "
              "quince países. Los conciertos al aire libre en el bulevar reunieron a miles de "
              "personas cada noche. Los organizadores anunciaron una edición de invierno en "
              "Tiflis.",
         video=None),
    dict(key="es-gas", lang="es", fmt="txt", traps=("xlang",),
         title="Azerbaiyán aumenta el suministro de gas a Europa",
         body="Azerbaiyán enviará 13 mil millones de metros cúbicos de gas a Europa este año "
              "a través del gasoducto transadriático, dijo el ministro de energía. Italia y "
              "Grecia son los principales compradores. Bakú quiere ampliar el gasoducto hasta "
              "20 mil millones en 2027.",
         video=None,
         also={"en": ("Azerbaijan to send 13 billion cubic metres of gas to Europe",
                      "Azerbaijan's energy minister says gas exports through the Trans "
                      "Adriatic Pipeline to Italy and Greece will reach 13 billion cubic "
                      "metres.")}),
    dict(key="es-nieve", lang="es", fmt="txt", traps=("show_spotify_only",),
         title="Gudauri abre la temporada de esquí con nieve artificial",
         body="La estación de Gudauri abrió la temporada de esquí con dos semanas de adelanto "
              "gracias a sus nuevos cañones de nieve artificial. Ocho remontes funcionan desde "
              "el sábado. Se esperan turistas de Israel, Polonia y los países del Golfo.",
         video=("Gudauri abre antes gracias a la nieve artificial",
                "Con cañones nuevos, Gudauri abrió la temporada de esquí dos semanas antes; "
                "ocho remontes ya funcionan.")),
    dict(key="es-turismo", lang="es", fmt="md", traps=(),
         title="Las llegadas de turistas a Armenia crecen un 15%",
         body="Armenia recibió 1,9 millones de visitantes extranjeros hasta septiembre, un 15 "
              "por ciento más que el año anterior. Ereván, el lago Seván y el monasterio de "
              "Tatev son los destinos más populares. El gobierno quiere abrir nuevas rutas "
              "aéreas con Europa.",
         video=("Armenia recibe 1,9 millones de turistas",
                "Ereván, Seván y Tatev atraen a los visitantes: Armenia crece un 15 por ciento "
                "en turismo hasta septiembre.")),
]
