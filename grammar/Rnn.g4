// The .rnn specification language. See docs/language.md for the reference.
// Only io.github.rnnc.syntax sees the classes generated from this grammar.
grammar Rnn;

// Order (package, imports, declarations) is checked after parsing, for a clearer message than a syntax error.
specFile
    : (packageDecl | importDecl | declaration)* EOF
    ;

packageDecl
    : PACKAGE qualifiedName SEMI
    ;

qualifiedName
    : IDENT (DOT IDENT)*
    ;

importDecl
    : IMPORT STRING SEMI
    ;

declaration
    : cellDecl
    | networkDecl
    ;

// ---------------------------------------------------------------- cells

cellDecl
    : CELL IDENT LPAREN (cellParam (COMMA cellParam)*)? RPAREN LBRACE cellStatement* RBRACE
    ;

cellParam
    : IDENT (ASSIGN expr)?
    ;

cellStatement
    : STATE stateVar (COMMA stateVar)* SEMI      # stateDecl
    | PARAM IDENT LBRACK expr (COMMA expr)* RBRACK (ASSIGN expr)? SEMI   # paramDecl
    | IDENT ASSIGN expr SEMI                     # assignment
    ;

stateVar
    : IDENT LBRACK expr RBRACK
    ;

// Slicing binds tightest; then unary minus; @ binds like * and / (as in Python), left to right.
expr
    : expr LBRACK expr COLON expr RBRACK           # slice
    | MINUS expr                                   # negate
    | expr op=(STAR | SLASH | AT) expr             # multiplicative
    | expr op=(PLUS | MINUS) expr                  # additive
    | primary                                      # primaryExpr
    ;

primary
    : NUMBER                                       # number
    | IDENT LPAREN (argument (COMMA argument)*)? RPAREN   # call
    | IDENT                                        # name
    | LPAREN expr RPAREN                           # parens
    | LBRACK expr (COMMA expr)* RBRACK             # concat
    ;

argument
    : (IDENT ASSIGN)? expr
    ;

// ---------------------------------------------------------------- networks

networkDecl
    : NETWORK IDENT LBRACE networkStatement* RBRACE
    ;

networkStatement
    : INPUT IDENT LBRACK expr (COMMA expr)* RBRACK SEMI   # inputDecl
    | IDENT ASSIGN expr SEMI                              # setting
    | IDENT LPAREN (argument (COMMA argument)*)? RPAREN SEMI   # layer
    | TRAIN LBRACE trainStatement* RBRACE                 # trainBlock
    ;

trainStatement
    : IDENT ASSIGN expr SEMI
    ;

// ---------------------------------------------------------------- tokens

PACKAGE : 'package';
IMPORT  : 'import';
CELL    : 'cell';
NETWORK : 'network';
STATE   : 'state';
PARAM   : 'param';
INPUT   : 'input';
TRAIN   : 'train';

LPAREN : '(';
RPAREN : ')';
LBRACE : '{';
RBRACE : '}';
LBRACK : '[';
RBRACK : ']';
SEMI   : ';';
COMMA  : ',';
COLON  : ':';
DOT    : '.';
ASSIGN : '=';
PLUS   : '+';
MINUS  : '-';
STAR   : '*';
SLASH  : '/';
AT     : '@';

// A trailing prime names the next value of a state: h' = ...
IDENT  : [a-zA-Z_] [a-zA-Z_0-9]* '\''? ;

NUMBER : DIGITS ('.' DIGITS?)? EXPONENT?
       | '.' DIGITS EXPONENT?
       ;
fragment DIGITS   : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;

STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS            : [ \t\r\n\f]+ -> skip ;

// Anything else is one bad character; the parser reports it with its position.
ERROR_CHAR : . ;
