#include "core/data_generator.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>

namespace emag::sandbox {

bool is_cancellation_reason(int64_t code) {
    return (code >= 1 && code <= 3) || (code >= 15 && code <= 43);
}

namespace {

template <std::size_t N>
const char* one_of(std::mt19937_64& rng, const std::array<const char*, N>& list) {
    return list[pick(rng, N)];
}

struct City {
    const char* city;
    const char* suburb;
    const char* postal;
    uint32_t locality_id;
};

// --- Romania -----------------------------------------------------------------
constexpr std::array<const char*, 16> kRoMale = {"Andrei", "Mihai",   "Ștefan", "Ionuț",    "Răzvan", "Alexandru",
                                                 "Bogdan", "Cătălin", "Florin", "Gheorghe", "Vlad",   "Tudor",
                                                 "Cosmin", "Marius",  "Sorin",  "Dănuț"};
constexpr std::array<const char*, 16> kRoFemale = {"Ioana",     "Mădălina", "Andreea", "Elena", "Ana-Maria", "Cristina",
                                                   "Alexandra", "Bianca",   "Raluca",  "Oana",  "Irina",     "Simona",
                                                   "Ștefania",  "Roxana",   "Larisa",  "Alina"};
constexpr std::array<const char*, 20> kRoLast = {"Popescu",    "Ionescu",   "Popa",      "Dumitrescu", "Stan",
                                                 "Stoica",     "Gheorghiu", "Rădulescu", "Munteanu",   "Matei",
                                                 "Constantin", "Șerban",    "Țurcanu",   "Lăzărescu",  "Mocanu",
                                                 "Brătianu",   "Căpraru",   "Dobre",     "Bălan",      "Niță"};
constexpr std::array<City, 16> kRoCities = {{{"București, Sector 3", "București", "031", 8645},
                                             {"București, Sector 6", "București", "061", 8648},
                                             {"Cluj-Napoca", "Cluj", "400", 4283},
                                             {"Iași", "Iași", "700", 6187},
                                             {"Timișoara", "Timiș", "300", 11893},
                                             {"Constanța", "Constanța", "900", 4765},
                                             {"Brașov", "Brașov", "500", 2351},
                                             {"Galați", "Galați", "800", 5519},
                                             {"Ploiești", "Prahova", "100", 9562},
                                             {"Oradea", "Bihor", "410", 1423},
                                             {"Sibiu", "Sibiu", "550", 10843},
                                             {"Târgu Mureș", "Mureș", "540", 8110},
                                             {"Pitești", "Argeș", "110", 556},
                                             {"Craiova", "Dolj", "200", 5121},
                                             {"Bacău", "Bacău", "600", 955},
                                             {"Focșani", "Vrancea", "620", 13101}}};
constexpr std::array<const char*, 12> kRoStreets = {
    "Str. Mihai Eminescu",   "Bd. Unirii",          "Calea Victoriei",
    "Str. Ștefan cel Mare",  "Aleea Trandafirilor", "Str. Avram Iancu",
    "Bd. Decebal",           "Str. Mărășești",      "Șos. Pantelimon",
    "Str. Nicolae Bălcescu", "Str. Gării",          "Bd. Tudor Vladimirescu"};
constexpr std::array<const char*, 6> kRoCompanies = {"Țesătoria Mărgineanu SRL", "Construcții Bălan SA",
                                                     "Agro Câmpia Română SRL",   "Ștefănescu & Fiii SRL",
                                                     "Iluminat Urban SRL",       "Brutăria Dobre SRL"};
constexpr std::array<const char*, 5> kRoLockers = {
    "easybox Kaufland Iași Păcurari", "easybox Mega Image Ștefan cel Mare", "easybox Profi Mărășești",
    "easybox Lidl Timișoara Calea Șagului", "easybox OMV Brașov Zizinului"};

// --- Bulgaria ----------------------------------------------------------------
constexpr std::array<const char*, 8> kBgMale = {"Иван",  "Георги", "Димитър", "Николай",
                                                "Петър", "Христо", "Стоян",   "Тодор"};
constexpr std::array<const char*, 8> kBgFemale = {"Мария",   "Елена",     "Йорданка",  "Десислава",
                                                  "Гергана", "Цветелина", "Радостина", "Милена"};
constexpr std::array<const char*, 8> kBgLast = {"Петров",  "Иванов",  "Георгиев", "Димитров",
                                                "Николов", "Стоянов", "Тодоров",  "Христов"};
constexpr std::array<City, 7> kBgCities = {{{"София", "София-град", "100", 300},
                                            {"Пловдив", "Пловдив", "400", 301},
                                            {"Варна", "Варна", "900", 302},
                                            {"Бургас", "Бургас", "800", 303},
                                            {"Русе", "Русе", "700", 304},
                                            {"Стара Загора", "Стара Загора", "600", 305},
                                            {"Плевен", "Плевен", "580", 306}}};
constexpr std::array<const char*, 6> kBgStreets = {
    "ул. Витоша", "бул. Цар Освободител", "ул. Граф Игнатиев", "бул. България", "ул. Шипка", "бул. Христо Ботев"};
constexpr std::array<const char*, 3> kBgCompanies = {"Търговия Петров ЕООД", "Строй Иванов ООД", "Агро Тракия АД"};
constexpr std::array<const char*, 3> kBgLockers = {"easybox Кауфланд София Младост", "easybox Лидл Пловдив Тракия",
                                                   "easybox Билла Варна Чайка"};

// --- Hungary -----------------------------------------------------------------
constexpr std::array<const char*, 8> kHuMale = {"Péter",  "László", "Gábor",   "Zoltán",
                                                "Bálint", "Ádám",   "Levente", "Márton"};
constexpr std::array<const char*, 8> kHuFemale = {"Ágnes", "Zsófia", "Katalin", "Eszter",
                                                  "Réka",  "Dóra",   "Tímea",   "Ildikó"};
constexpr std::array<const char*, 12> kHuLast = {"Nagy", "Kovács", "Tóth",   "Szabó",  "Horváth", "Varga",
                                                 "Kiss", "Molnár", "Németh", "Farkas", "Balogh",  "Papp"};
constexpr std::array<City, 7> kHuCities = {{{"Budapest", "Budapest", "10", 500},
                                            {"Debrecen", "Hajdú-Bihar", "40", 501},
                                            {"Szeged", "Csongrád-Csanád", "67", 502},
                                            {"Pécs", "Baranya", "76", 503},
                                            {"Győr", "Győr-Moson-Sopron", "90", 504},
                                            {"Miskolc", "Borsod-Abaúj-Zemplén", "35", 505},
                                            {"Székesfehérvár", "Fejér", "80", 506}}};
constexpr std::array<const char*, 6> kHuStreets = {"Kossuth Lajos utca", "Petőfi Sándor utca",   "Rákóczi út",
                                                   "Széchenyi tér",      "Árpád fejedelem útja", "Dózsa György út"};
constexpr std::array<const char*, 3> kHuCompanies = {"Kovács és Társa Kft.", "Tóth Építő Zrt.", "Szőlőskert Bt."};
constexpr std::array<const char*, 3> kHuLockers = {"easybox Tesco Budaörs", "easybox Spar Debrecen Piac utca",
                                                   "easybox Aldi Győr Szent István út"};

// --- Products ----------------------------------------------------------------
constexpr std::array<const char*, 14> kNouns = {
    "Telefon mobil",  "Laptop",         "Căști wireless",       "Aspirator vertical", "Espressor automat",
    "Televizor LED",  "Tabletă",        "Cuptor cu microunde",  "Boxă portabilă",     "Trotinetă electrică",
    "Mixer vertical", "Monitor gaming", "Frigider cu două uși", "Ceas inteligent"};
constexpr std::array<const char*, 13> kBrands = {"Samsung", "Apple", "Xiaomi", "Philips", "Bosch",   "Lenovo", "ASUS",
                                                 "Sony",    "JBL",   "Tefal",  "Arctic",  "Gorenje", "Huawei"};
constexpr std::array<const char*, 6> kColors = {"Negru", "Alb", "Argintiu", "Albastru", "Roșu", "Gri"};
constexpr std::array<const char*, 6> kVoucherNames = {
    "Voucher de bun venit",  "Reducere Black Friday",       "Cupon Genius",
    "Voucher 10% accesorii", "Reducere coș de cumpărături", "Voucher fidelitate"};

std::string digits(std::mt19937_64& rng, int n) {
    std::string s;
    for (int i = 0; i < n; ++i)
        s += static_cast<char>('0' + pick(rng, 10));
    return s;
}

std::string uuid_like(std::mt19937_64& rng) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < 32; ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20)
            s += '-';
        s += kHex[pick(rng, 16)];
    }
    return s;
}

// Pads with a repeated word to exactly `chars` Unicode code points (UTF-8).
std::string pad_to_chars(std::string s, std::size_t chars) {
    auto count = [](const std::string& t) {
        return static_cast<std::size_t>(
            std::count_if(t.begin(), t.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
    };
    const std::string filler = " Ștefănescu-Țăranu";
    while (count(s) + 18 <= chars)
        s += filler;
    while (count(s) < chars)
        s += 'a';
    return s;
}

// EAN-13 with a correct check digit.
std::string ean13(std::mt19937_64& rng) {
    std::string s = "59" + digits(rng, 10);
    int sum = 0;
    for (int i = 0; i < 12; ++i)
        sum += (s[i] - '0') * (i % 2 ? 3 : 1);
    s += static_cast<char>('0' + (10 - sum % 10) % 10);
    return s;
}

// PNK: 9 letters+digits, unique per offer id (a bijective mix, then base 36).
std::string pnk_for(uint64_t id) {
    static constexpr char kAlnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    uint64_t x = (id * 0x9E3779B97F4A7C15ull) % 101559956668416ull; // 36^9
    std::string s(9, '0');
    for (int i = 8; i >= 0; --i) {
        s[i] = kAlnum[x % 36];
        x /= 36;
    }
    return s;
}

// Price incl. VAT, rounded to 0.01 (what a customer pays for one unit).
Money gross(Money net, Money vat) {
    return (net * (kMoneyScale + vat) / kMoneyScale + 50) / 100 * 100;
}

} // namespace

DataGenerator::DataGenerator(const DataOptions& options, StringPool& pool)
    : options_(options), platform_(platform_info(options.platform)), pool_(pool), rng_(options.seed) {}

Offer DataGenerator::make_offer(std::mt19937_64& rng, uint64_t id, std::size_t index) {
    Offer o;
    o.id = id;
    const char* noun = one_of(rng, kNouns);
    const char* brand = one_of(rng, kBrands);
    o.brand = brand;
    const std::string model =
        std::string(1, static_cast<char>('A' + pick(rng, 26))) + std::to_string(10 + pick(rng, 990));
    o.name = std::string(noun) + " " + brand + " " + model + ", " + one_of(rng, kColors);
    if (chance(rng, 0.003))
        o.name += " 🎧✨"; // awkward but valid: emoji
    if (chance(rng, 0.003))
        o.name = pad_to_chars(o.name, 255); // awkward but valid: the maximum length
    // part_number: 1-25 chars, no spaces/,/; and unique (the index suffix).
    o.part_number = std::string(brand).substr(0, 3) + "-" + model + "-" + std::to_string(index);
    o.part_number_key = pnk_for(id);
    o.description = "<p>" + o.name + "</p>";
    o.url = "https://shop.example.invalid/p/" + std::to_string(id);
    o.image_url = "https://shop.example.invalid/img/" + std::to_string(id) + ".jpg";
    o.category_id = static_cast<uint32_t>(1 + pick(rng, 3000));
    o.vendor_category_id = chance(rng, 0.5) ? static_cast<uint32_t>(1 + pick(rng, 200)) : 0;
    o.ean = {ean13(rng)};
    if (chance(rng, 0.1))
        o.ean.push_back(ean13(rng));
    o.warranty = static_cast<int32_t>(std::array<int, 4>{0, 12, 24, 36}[pick(rng, 4)]);
    const uint64_t r = pick(rng, 100);
    o.status = r < 85 ? 1 : r < 97 ? 0 : 2;
    // Up to 4 decimals, as eMAG allows: 9.9900 .. 5009.9999.
    o.sale_price = static_cast<Money>(99900 + pick(rng, 50000000));
    o.min_sale_price = o.sale_price * 8 / 10;
    o.max_sale_price = o.sale_price * 15 / 10;
    o.recommended_price = chance(rng, 0.4) ? o.sale_price * 11 / 10 : 0;
    o.currency = std::string(platform_.currency);
    o.vat_id = chance(rng, 0.9) ? 1 : 2;
    const int warehouses = chance(rng, 0.8) ? 1 : 2;
    for (int w = 1; w <= warehouses; ++w) {
        o.stock.push_back({static_cast<uint32_t>(w), static_cast<int32_t>(pick(rng, 10) == 0 ? 0 : pick(rng, 250))});
        o.handling_time.push_back({static_cast<uint32_t>(w), static_cast<int32_t>(pick(rng, 4))});
    }
    o.number_of_offers = static_cast<int32_t>(1 + pick(rng, 8));
    o.buy_button_rank = static_cast<int32_t>(1 + pick(rng, o.number_of_offers));
    o.best_offer_sale_price = o.buy_button_rank == 1 ? o.sale_price : o.sale_price * 95 / 100;
    o.best_offer_recommended_price = o.recommended_price;
    o.ownership = chance(rng, 0.7) ? 1 : 2;
    const uint64_t v = pick(rng, 100);
    o.validation_status = v < 85 ? 9 : v < 90 ? 1 : v < 94 ? 11 : v < 97 ? 3 : 8;
    o.translation_validation_status = o.validation_status;
    o.offer_validation_status = chance(rng, 0.95) ? 1 : 2;
    o.genius_eligibility = chance(rng, 0.3) ? 1 : 0;
    o.genius_eligibility_type = o.genius_eligibility ? static_cast<int32_t>(1 + pick(rng, 3)) : 0;
    o.genius_computed = o.genius_eligibility_type;
    if (chance(rng, 0.6)) {
        o.manufacturer.push_back({brand, "Str. Fabricii nr. 1, Cluj-Napoca, România", "gpsr@example.invalid"});
        o.eu_representative.push_back(
            {std::string(brand) + " Europe", "Bd. Pipera 1, Voluntari", "eu@example.invalid"});
        o.safety_information = "A se păstra departe de îndemâna copiilor.";
    }
    return o;
}

std::vector<Offer> DataGenerator::make_offers() {
    std::vector<Offer> offers;
    offers.reserve(options_.offers);
    uint64_t id = 10000;
    for (std::size_t i = 0; i < options_.offers; ++i) {
        id += 1 + pick(rng_, 3);
        offers.push_back(make_offer(rng_, id, i));
    }
    if (offers.empty()) { // order lines still need products
        std::mt19937_64 local(options_.seed ^ 0x5eedu);
        for (std::size_t i = 0; i < 50; ++i)
            fallback_catalog_.push_back(make_offer(local, 900000 + i, i));
    }
    return offers;
}

void DataGenerator::fill_customer(std::mt19937_64& rng, Order& order) {
    Customer& c = order.customer;
    const bool female = chance(rng, 0.5);
    std::string name;
    const City* city = nullptr;
    const char* street = nullptr;
    const char* company = nullptr;
    const char* locker = nullptr;
    std::string phone;
    switch (platform_.language) {
    case Language::Ro:
        name = std::string(female ? one_of(rng, kRoFemale) : one_of(rng, kRoMale)) + " " + one_of(rng, kRoLast);
        city = &kRoCities[pick(rng, kRoCities.size())];
        street = one_of(rng, kRoStreets);
        company = one_of(rng, kRoCompanies);
        locker = one_of(rng, kRoLockers);
        phone = "07" + digits(rng, 8);
        break;
    case Language::Bg: {
        std::string last = one_of(rng, kBgLast);
        name = std::string(female ? one_of(rng, kBgFemale) : one_of(rng, kBgMale)) + " " + last + (female ? "а" : "");
        city = &kBgCities[pick(rng, kBgCities.size())];
        street = one_of(rng, kBgStreets);
        company = one_of(rng, kBgCompanies);
        locker = one_of(rng, kBgLockers);
        phone = "08" + digits(rng, 8);
        break;
    }
    case Language::Hu:
        name = std::string(one_of(rng, kHuLast)) + " " + (female ? one_of(rng, kHuFemale) : one_of(rng, kHuMale));
        city = &kHuCities[pick(rng, kHuCities.size())];
        street = one_of(rng, kHuStreets);
        company = one_of(rng, kHuCompanies);
        locker = one_of(rng, kHuLockers);
        phone = "+3630" + digits(rng, 7);
        break;
    }
    if (chance(rng, 0.004))
        name += " 🌸"; // awkward but valid: emoji in a name
    else if (chance(rng, 0.004))
        name = pad_to_chars(name, 255); // awkward but valid: 255-char name
    const bool is_company = chance(rng, 0.15);
    c.id = static_cast<uint32_t>(1 + pick(rng, 2147483646));
    c.mkt_id = c.id;
    c.name = pool_.intern(name);
    c.gender = pool_.intern(female ? "F" : "M");
    c.email =
        chance(rng, 0.05)
            ? pool_.empty()
            : pool_.intern(std::to_string(1000000 + pick(rng, 9000000)) + "@" + std::string(platform_.email_domain));
    c.legal_entity = is_company;
    c.is_vat_payer = is_company;
    c.company = is_company ? pool_.intern(company) : c.name;
    c.code = is_company ? pool_.intern("RO" + digits(rng, 8)) : pool_.empty();
    c.registration_number =
        is_company ? pool_.intern("J" + digits(rng, 2) + "/" + digits(rng, 4) + "/2019") : pool_.empty();
    c.bank = is_company ? pool_.intern("Banca Transilvania") : pool_.empty();
    c.iban = is_company ? pool_.intern("RO49BTRL" + digits(rng, 16)) : pool_.empty();
    c.fax = pool_.empty();
    c.phone_1 = pool_.intern(phone);
    c.phone_2 = pool_.empty();
    c.phone_3 = pool_.empty();
    std::string address = std::string(street) + " nr. " + std::to_string(1 + pick(rng, 150));
    if (chance(rng, 0.4))
        address += ", bl. " + std::to_string(1 + pick(rng, 40)) + ", ap. " + std::to_string(1 + pick(rng, 90));
    const Str country = pool_.intern(platform_.country);
    const Str postal = pool_.intern(std::string(city->postal) +
                                    digits(rng, 6 - static_cast<int>(std::string_view(city->postal).size())));
    c.billing_name = c.company;
    c.billing_phone = c.phone_1;
    c.billing_country = country;
    c.billing_suburb = pool_.intern(city->suburb);
    c.billing_city = pool_.intern(city->city);
    c.billing_locality_id = city->locality_id;
    c.billing_street = pool_.intern(address);
    c.billing_postal_code = postal;
    c.shipping_contact = c.name;
    c.shipping_phone = c.phone_1;
    c.shipping_country = country;
    c.shipping_suburb = c.billing_suburb;
    c.shipping_city = c.billing_city;
    c.shipping_locality_id = city->locality_id;
    c.shipping_postal_code = postal;
    c.created = order.date;
    c.modified = order.date;
    if (chance(rng, 0.25)) { // locker delivery
        order.delivery_mode = pool_.intern("pickup");
        OrderDetails d;
        d.locker_id = pool_.intern(uuid_like(rng));
        d.locker_name = pool_.intern(locker);
        d.locker_delivery_eligible = 1;
        d.courier_external_office_id = pool_.empty();
        order.details = d;
        c.shipping_street =
            pool_.intern(std::string(locker) + " [EasyBox #" + std::to_string(10000 + pick(rng, 30000)) + "]");
    } else {
        order.delivery_mode = pool_.intern("courier");
        c.shipping_street = c.billing_street;
        if (!chance(rng, 0.3)) { // otherwise details stays null (awkward but valid)
            OrderDetails d;
            d.locker_id = d.locker_name = d.courier_external_office_id = pool_.empty();
            d.locker_delivery_eligible = chance(rng, 0.6) ? 1 : 0;
            order.details = d;
        }
    }
}

void DataGenerator::fill_lines(std::mt19937_64& rng, Order& order, const std::vector<Offer>& offers) {
    const std::vector<Offer>& catalog = offers.empty() ? fallback_catalog_ : offers;
    const std::size_t lines = 1 + (chance(rng, 0.3) ? pick(rng, 3) + 1 : 0);
    const Str currency = pool_.intern(platform_.currency);
    for (std::size_t i = 0; i < lines; ++i) {
        const Offer& offer = catalog[pick(rng, catalog.size())];
        const VatRate* vat = find_vat(platform_, offer.vat_id);
        OrderLine l;
        l.id = next_line_id_ += 1 + pick(rng, 5);
        l.product_id = offer.id;
        l.mkt_id = offer.id;
        l.name = pool_.intern(offer.name);
        l.part_number = pool_.intern(offer.part_number);
        l.ext_part_number = l.part_number;
        l.part_number_key = pool_.intern(offer.part_number_key);
        l.currency = currency;
        l.details = pool_.empty();
        l.serial_numbers = chance(rng, 0.05) ? pool_.intern("SN" + digits(rng, 10)) : pool_.empty();
        l.quantity = l.initial_qty = static_cast<int32_t>(chance(rng, 0.8) ? 1 : 2 + pick(rng, 3));
        l.sale_price = offer.sale_price;
        l.original_price = offer.recommended_price ? offer.recommended_price : offer.sale_price;
        l.vat = vat ? vat->rate : 0;
        l.created = order.date;
        l.modified = order.modified;
        if (platform_.language == Language::Ro && chance(rng, 0.05))
            l.recycle_warranties.push_back({l.quantity, 5000, 0, pool_.intern("Taxa SGR plastic")});
        order.products.push_back(std::move(l));
    }
}

Order DataGenerator::build_order(std::mt19937_64& rng, uint64_t id, int64_t date, int64_t now, int status, int type,
                                 const std::vector<Offer>& offers) {
    Order o;
    o.id = id;
    o.type = static_cast<int8_t>(type);
    o.status = status;
    o.date = date;
    // modified >= date; later statuses took longer to reach. Never in the future.
    static constexpr int64_t kDelay[] = {2 * 86400, 0, 86400, 2 * 86400, 4 * 86400, 20 * 86400};
    o.modified = status == 1 ? date : std::min(now, date + 600 + static_cast<int64_t>(pick(rng, kDelay[status])));
    const uint64_t pay = pick(rng, 100);
    o.payment_mode_id = pay < 55 ? 1 : pay < 65 ? 2 : 3;
    o.detailed_payment_method = pool_.intern(o.payment_mode_id == 1   ? "Ramburs"
                                             : o.payment_mode_id == 2 ? "Ordin de plată"
                                             : chance(rng, 0.15)      ? "eCREDIT"
                                                                      : "Card online");
    o.is_complete = status == 1 && chance(rng, 0.1) ? 0 : 1;
    o.vendor_name = pool_.intern("Magazinul Sandbox SRL");
    o.observation = chance(rng, 0.1) ? pool_.intern("Vă rog sunați înainte de livrare.") : pool_.empty();
    o.emag_club = chance(rng, 0.2) ? 1 : 0;
    const uint64_t enforced = pick(rng, 100);
    o.enforced = enforced < 85   ? EnforcedCouriers::Null
                 : enforced < 90 ? EnforcedCouriers::Empty
                                 : EnforcedCouriers::One;
    o.enforced_account = o.enforced == EnforcedCouriers::One ? static_cast<uint32_t>(1 + pick(rng, 5)) : 0;
    fill_customer(rng, o);
    fill_lines(rng, o, offers);
    const Money shipping_rates[] = {0, 159900, 199900};
    o.shipping_tax =
        platform_.language == Language::Hu ? 14900000 * static_cast<Money>(pick(rng, 2)) : shipping_rates[pick(rng, 3)];
    if (chance(rng, 0.15)) { // a voucher on the first line
        OrderLine& line = o.products.front();
        Voucher v;
        v.voucher_id = static_cast<uint32_t>(1 + pick(rng, 9999999));
        v.sale_price = -static_cast<Money>(100000 + pick(rng, 50) * 10000);
        v.vat = line.vat;
        v.sale_price_vat = v.sale_price * v.vat / kMoneyScale;
        v.voucher_name = pool_.intern(kVoucherNames[pick(rng, kVoucherNames.size())]);
        v.created = v.modified = date;
        line.product_voucher_split.push_back({v.voucher_id, v.sale_price, v.sale_price_vat, v.vat,
                                              pool_.intern(chance(rng, 0.5) ? "emag" : "seller"), v.voucher_name});
        if (o.shipping_tax && chance(rng, 0.3))
            o.shipping_tax_voucher_split.push_back({v.voucher_id, -o.shipping_tax * 100 / 121,
                                                    -o.shipping_tax * 21 / 121, 0, pool_.empty(), v.voucher_name});
        o.vouchers.push_back(v);
    }
    Money total = o.shipping_tax;
    for (const auto& l : o.products)
        total += gross(l.sale_price, l.vat) * l.quantity;
    const bool paid = o.payment_mode_id == 3 ? status != 1 || chance(rng, 0.8) : status == 4 || status == 5;
    o.payment_status = paid ? 1 : 0;
    if (paid)
        (o.payment_mode_id == 3 ? o.cashed_co : o.cashed_cod) = total;
    if (status == 0) {
        o.reason_cancellation = static_cast<int32_t>(chance(rng, 0.5) ? 1 + pick(rng, 3) : 15 + pick(rng, 29));
        o.cancelled_at = o.modified;
    }
    if (status == 4 || status == 5)
        o.finalized_at = status == 4 ? o.modified : std::max(date, o.modified - 5 * 86400);
    if (status == 4 && type == 3 && chance(rng, 0.03)) { // an earlier partial storno
        OrderLine& line = o.products.front();
        line.quantity += 1;
        line.initial_qty = line.quantity;
        line.quantity -= 1;
        line.storno_qty = 1;
        o.is_storno = true;
    }
    if ((status == 4 || status == 5) && chance(rng, 0.5))
        o.attachments.push_back({pool_.intern("Factura FCT-" + std::to_string(id) + ".pdf"),
                                 pool_.intern("https://shop.example.invalid/invoices/" + std::to_string(id) + ".pdf"),
                                 1});
    return o;
}

std::vector<Order> DataGenerator::make_orders(const std::vector<Offer>& offers) {
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(options_.now().time_since_epoch()).count();
    const int64_t span = 90 * 86400;
    const std::size_t n = options_.orders;
    std::vector<Order> orders;
    orders.reserve(n);
    uint64_t id = 400000000 + pick(rng_, 1000);
    for (std::size_t i = 0; i < n; ++i) {
        // Dates ascend with ids (eMAG ids are sequential), evenly spread with jitter.
        const int64_t slot = span / static_cast<int64_t>(n);
        const int64_t date = now - span + static_cast<int64_t>(i) * slot + static_cast<int64_t>(pick(rng_, slot + 1));
        const int64_t age = now - date;
        const uint64_t r = pick(rng_, 100);
        int status;
        if (age < 86400)
            status = r < 35 ? 1 : r < 65 ? 2 : r < 80 ? 3 : r < 90 ? 4 : 0;
        else if (age < 3 * 86400)
            status = r < 5 ? 1 : r < 25 ? 2 : r < 50 ? 3 : r < 90 ? 4 : 0;
        else
            status = r < 1 ? 1 : r < 2 ? 2 : r < 3 ? 3 : r < 83 ? 4 : r < 93 ? 0 : 5;
        const int type = chance(rng_, 0.08) ? 2 : 3;
        id += 1 + pick(rng_, 30);
        Order o = build_order(rng_, id, std::min(date, now), now, status, type, offers);
        if (chance(rng_, options_.invalid_fraction)) {
            switch (static_cast<InvalidKind>(pick(rng_, static_cast<uint64_t>(InvalidKind::Count)))) {
            case InvalidKind::ZeroQuantity:
                o.products.front().quantity = 0;
                break;
            case InvalidKind::MissingSalePrice:
                o.products.front().has_sale_price = false;
                break;
            case InvalidKind::Status7:
                o.status = 7;
                break;
            case InvalidKind::NoProducts:
                o.products.clear();
                break;
            case InvalidKind::PaymentMode9:
                o.payment_mode_id = 9;
                break;
            case InvalidKind::Count:
                break;
            }
        }
        orders.push_back(std::move(o));
    }
    return orders;
}

Order DataGenerator::make_new_order(uint64_t id, int64_t now, const std::vector<Offer>& offers, std::mt19937_64& rng) {
    return build_order(rng, id, now, now, 1, 3, offers);
}

} // namespace emag::sandbox
